"""What ``authflow`` commands print: tokens in the contract's formats on stdout, and on stderr one-line
messages, the log of waiting (and with ``--verbose`` each step and Cognito call), the wizard's screen."""

from __future__ import annotations

import json
import shlex
import sys
from typing import TYPE_CHECKING, Any, TextIO

from authflow.errors import AuthflowError

if TYPE_CHECKING:
    from authflow.tokens import Tokens


def format_tokens(tokens: Tokens, output: str) -> str:
    """The text ``authflow login --output FORMAT`` prints (without the final newline)."""
    result = tokens.authentication_result()
    if output == "json":
        return json.dumps(result)
    if output == "access-token":
        return tokens.access_token
    if output == "id-token":
        if not tokens.id_token:
            raise AuthflowError("Cognito returned no IdToken", code="NoIdToken")
        return tokens.id_token
    names = {
        "AccessToken": "AUTHFLOW_ACCESS_TOKEN",
        "IdToken": "AUTHFLOW_ID_TOKEN",
        "RefreshToken": "AUTHFLOW_REFRESH_TOKEN",
        "ExpiresIn": "AUTHFLOW_EXPIRES_IN",
        "TokenType": "AUTHFLOW_TOKEN_TYPE",
    }
    lines = [f"export {names[k]}={shlex.quote(str(v))}" for k, v in result.items() if k in names]
    device = tokens.new_device_metadata or {}
    if device.get("DeviceKey"):
        lines.append(f"export AUTHFLOW_DEVICE_KEY={shlex.quote(str(device['DeviceKey']))}")
    if device.get("DeviceGroupKey"):
        lines.append(f"export AUTHFLOW_DEVICE_GROUP_KEY={shlex.quote(str(device['DeviceGroupKey']))}")
    return "\n".join(lines)


def print_tokens(tokens: Tokens, output: str | None, *, username: str, cached: bool,
                 again: str = "authflow login", announced: bool = False) -> None:
    """What a command that signed someone in prints on stdout: the tokens as ``--output`` says; with no
    ``--output`` and stdout a terminal (a person, not a script), one line saying who is signed in (unless the
    wizard ``announced`` it already) and how to get the tokens (``again`` with ``--output json``), instead of
    some 2 KB of them."""
    if output is None and sys.stdout.isatty():
        print(for_the_screen(summary(tokens, username=username, cached=cached, again=again, announced=announced)))
        return
    print(format_tokens(tokens, output or "json"))


def summary(tokens: Tokens, *, username: str, cached: bool, again: str = "authflow login",
            announced: bool = False, token: str | None = None) -> str:
    """"Signed in as alice: ..." (one line, no token in it); ``again`` is the command that prints the tokens
    with ``--output json`` added; ``token`` the ``authflow token`` that prints the cached access token (by default
    that of this command's pool settings: :func:`token_command`). ``announced``: the wizard said "✓ Signed in as
    alice." just before, so the line does not say it a second time."""
    token = token or token_command(username)
    minutes = max(0, round(tokens.expires_in / 60)) if tokens.expires_in else None
    valid = f"; the access token is valid for {minutes} min" if minutes is not None else ""
    if cached:  # `authflow token --output json` is the access token and its expiry: all three come from login
        how = (f"kept in the token cache. `{token}` prints the access token "
               f"(--id-token: the id token); `{again} --output json` prints all three")
    else:
        how = f"not kept (--no-cache). `{again} --output json` prints the tokens"
    if announced:
        return f"The access token is valid for {minutes} min; the tokens are {how}." if minutes is not None \
            else f"The tokens are {how}."
    return f"Signed in as {username}{valid}; {how}."


#: The options that say which pool, client and cache a command's tokens are kept for: `authflow token` needs the
#: same ones to find them (a profile, or flags given instead of the AUTHFLOW_* variables).
_SAME_TOKENS = ("--profile", "--pool-id", "--client-id", "--region", "--endpoint-url", "--keyring")


def token_command(username: str, argv: list[str] | None = None, *, command: str = "token") -> str:
    """The ``authflow token`` that prints the access token this command kept (or ``authflow COMMAND`` for the same
    tokens: ``login`` to keep them): its pool options (as given, but the client secret), and the user's name."""
    args = list(sys.argv[1:] if argv is None else argv)
    kept: list[str] = []
    for index, arg in enumerate(args):
        name = arg.split("=", 1)[0]
        if name not in _SAME_TOKENS:
            continue
        kept.append(arg)
        if "=" not in arg and name != "--keyring" and index + 1 < len(args):
            kept.append(args[index + 1])
    return shlex.join(["authflow", command, *kept, "--username", username])


#: Flags whose value is not shown again when a command is repeated back (a secret), and the one replaced.
_NOT_REPEATED = ("--client-secret", "--output")


def command_run(argv: list[str] | None = None) -> str:
    """The command that is running, as a person could type it again: ``authflow`` and its arguments, without
    ``--client-secret`` (a secret: AUTHFLOW_CLIENT_SECRET gives it again) and without ``--output``."""
    args = list(sys.argv[1:] if argv is None else argv)
    kept: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        name = arg.split("=", 1)[0]
        if len(name) > 3 and any(flag.startswith(name) for flag in _NOT_REPEATED):  # argparse takes abbreviations
            skip = "=" not in arg
            continue
        kept.append(arg)
    return shlex.join(["authflow", *kept])


def with_username(command: str, username: str) -> str:
    """``command`` (as typed) with ``--username NAME`` added where it has none: run again, it signs the same user
    in without asking who (AUTHFLOW_USERNAME may be gone, or the wizard asked)."""
    words = shlex.split(command)
    if username and not any(w == "--username" or w.startswith("--username=") for w in words):
        words[2:2] = ["--username", username]  # after "authflow COMMAND"
    return shlex.join(words)


def for_the_screen(text: str) -> str:
    """``text`` for stdout at a terminal: wrapped between words to the terminal's width (the terminal would
    break a long line inside a word, even inside a command to type), a word wider than a line left whole."""
    import shutil
    import textwrap

    width = shutil.get_terminal_size().columns
    if width < 20:
        return text
    return "\n".join(textwrap.fill(line, width=width, break_long_words=False, break_on_hyphens=False)
                     for line in text.split("\n"))


def one_line(text: str) -> str:
    """``text`` with its white space (newlines included) folded to single spaces."""
    return " ".join(text.split())


def warn(message: str) -> None:
    """One ``authflow: ...`` line on stderr."""
    print(f"authflow: {message}", file=sys.stderr)


def fail(message: str, status: int, stream: TextIO | None = None) -> int:
    """Say ``message`` in one line (stderr unless told) and give back the exit status to return."""
    print(one_line(message), file=stream or sys.stderr)
    return status


def terminal_output() -> Any:
    """The wizard talks on stderr, so that stdout carries only the result."""
    from prompt_toolkit.output import create_output

    return create_output(stdout=sys.stderr)


def show_progress(*, verbose: bool) -> None:
    """authflow's log on stderr: waiting for a TOTP window; with ``verbose`` each step and Cognito call."""
    import logging

    log = logging.getLogger("authflow")
    if not any(getattr(h, "authflow_cli", False) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("authflow: %(message)s"))
        handler.authflow_cli = True  # type: ignore[attr-defined]
        log.addHandler(handler)
    log.setLevel(logging.DEBUG if verbose else logging.INFO)


def trace_calls(client: Any) -> None:
    """Log each call of a botocore client: operation, the challenge or flow it answers, outcome, time.

    Only names are logged (AuthFlow, ChallengeName, error codes), never a parameter's value."""
    import logging
    import time

    log = logging.getLogger("authflow.calls")

    def before(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["authflow_trace"] = (params.get("ChallengeName") or params.get("AuthFlow"), time.perf_counter())

    def after(parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        answers, started = context.get("authflow_trace", (None, time.perf_counter()))
        outcome = (
            parsed.get("Error", {}).get("Code")
            or parsed.get("ChallengeName")
            or ("tokens" if "AuthenticationResult" in parsed else "ok")
        )
        what = f" ({answers})" if isinstance(answers, str) else ""
        log.debug("call %s%s -> %s, %.0f ms", model.name, what, outcome, (time.perf_counter() - started) * 1000)

    client.meta.events.register("before-parameter-build", before)
    client.meta.events.register("after-call", after)
