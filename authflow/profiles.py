"""Named profiles: settings kept in a TOML file, chosen with ``--profile NAME`` or ``AUTHFLOW_PROFILE``.

The file is ``$AUTHFLOW_CONFIG``, else ``config.toml`` in the user's config directory for authflow
(``platformdirs.user_config_dir("authflow")``). One table per profile, its keys named as the flags without
dashes::

    [profiles.work]
    pool_id = "eu-west-1_AbC123"
    client_id = "1example23456789"
    username = "alice@example.com"
    identity_pool_id = "eu-west-1:0a1b2c3d-..."
    auth_flow = "USER_SRP_AUTH"
    non_interactive = true

A flag, or its environment variable (``AUTHFLOW_<KEY>``; see :data:`ENVIRONMENT_OF`), wins over the profile: a
profile's value becomes the option's default, unless that variable is set. A key no command knows, a value of
the wrong kind, an unknown profile or a file that is not TOML is a :class:`ProfileError` (a UsageError: one
line, exit 2).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from authflow.errors import UsageError

CONFIG_ENV = "AUTHFLOW_CONFIG"
PROFILE_ENV = "AUTHFLOW_PROFILE"
#: Options that are not settings (the profile's own name; what a command acts on).
NOT_SETTINGS = frozenset({"profile", "help", "version", "command", "func"})
#: Every key some command takes (the options' dests): a command parsed alone (for start-up time) still finds a
#: typo in its profile without building every other command's parser. tests/unit/test_profiles.py keeps it equal
#: to what the full parser takes.
SETTINGS = frozenset({
    "attribute", "auth_flow", "basic_flow", "browser", "browser_timeout", "client_credentials", "client_id",
    "client_secret", "current",
    "deadline", "device_name", "domain", "endpoint_url", "everywhere", "id_token", "identity_endpoint_url",
    "identity_pool_id", "idp", "keyring", "leeway", "name", "no_browser", "no_cache", "non_interactive", "origin",
    "output", "parallel", "pool_id", "preferred_challenge", "redirect_port", "region", "resend", "role_arn", "scope",
    "software", "totp_issuer", "totp_secret_out", "user", "username", "users", "verbose", "yes",
})
#: The environment variable of an option whose name is not ``AUTHFLOW_<KEY>`` (tests/unit/test_profiles.py checks
#: every option that reads one): it too wins over the profile.
ENVIRONMENT_OF = {"origin": "AUTHFLOW_PASSKEY_ORIGIN"}


#: Settings whose values differ from command to command (--output: login's json | env | access-token | id-token,
#: token's token | json | ..., credentials' process | env | json, account's json): a profile's value that one command
#: takes and this one does not is left to the commands that take it (this one keeps its own default); a value no
#: command takes is still a mistake. tests/unit/test_profiles.py keeps the values equal to what the commands take.
PER_COMMAND_VALUES = {"output": frozenset({"json", "env", "access-token", "id-token", "token", "process"})}


def environment_name(key: str) -> str:
    """The environment variable that gives option ``key`` (a dest) and so wins over a profile's value."""
    return ENVIRONMENT_OF.get(key, f"AUTHFLOW_{key.upper()}")


class ProfileError(UsageError):
    code = "ProfileError"


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """``$AUTHFLOW_CONFIG``, else ``config.toml`` in the user's config directory for authflow."""
    env = os.environ if environ is None else environ
    override = env.get(CONFIG_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("authflow")) / "config.toml"


def _toml() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    import tomli  # type: ignore[import-not-found,unused-ignore]

    return tomli


def load_profiles(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Every profile of the file (none when there is no file): name -> settings."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ProfileError(f"cannot read the profiles file {path} ({exc.strerror})") from None
    toml = _toml()
    try:
        document = toml.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ProfileError(f"the profiles file {path} is not UTF-8 text") from None
    except toml.TOMLDecodeError as exc:
        raise ProfileError(f"the profiles file {path} is not valid TOML: {' '.join(str(exc).split())}") from None
    unknown = sorted(set(document) - {"profiles"})
    if unknown:
        raise ProfileError(f"the profiles file {path} has tables other than [profiles.NAME]: {', '.join(unknown)}")
    profiles = document.get("profiles", {})
    if not isinstance(profiles, dict):
        raise ProfileError(f"the profiles file {path}: profiles must be tables, [profiles.NAME]")
    for name, settings in profiles.items():
        if not isinstance(settings, dict):
            raise ProfileError(f"the profiles file {path}: [profiles.{name}] is not a table")
        for key, value in settings.items():
            if isinstance(value, (dict, list)) or not isinstance(value, (str, bool, int, float)):
                raise ProfileError(f"the profiles file {path}: [profiles.{name}] {key} must be a string, "
                                   "number or true/false")
    return profiles


def profile(name: str, path: Path | None = None) -> dict[str, Any]:
    """The settings of profile ``name``; ProfileError when the file has no such profile."""
    path = path or config_path()
    profiles = load_profiles(path)
    if name not in profiles and not path.exists():  # "no profile in FILE" would read as if FILE were there
        raise ProfileError(f"no profile {name!r}: there is no profiles file {path} (profiles: none; AUTHFLOW_CONFIG "
                           "names another file)")
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileError(f"no profile {name!r} in {path} (profiles: {known})")
    return profiles[name]


def chosen_profile(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> str | None:
    """The profile a command line asks for: ``--profile NAME`` (or ``--profile=NAME``), else AUTHFLOW_PROFILE."""
    for index, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--profile" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--profile="):
            return arg.partition("=")[2]
    env = os.environ if environ is None else environ
    return env.get(PROFILE_ENV) or None


def add_profile_option(parser: argparse.ArgumentParser) -> None:
    """``--profile NAME`` (read before parsing by :func:`apply`; here so that --help shows it)."""
    parser.add_argument("--profile", metavar="NAME", default=os.environ.get(PROFILE_ENV) or None,
                        help=f"{PROFILE_ENV}: take settings from [profiles.NAME] of the profiles file "
                        f"({CONFIG_ENV}, default: config.toml in the user's config directory)")


def _actions(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    """Every option of ``parser`` and of its subcommands, recursively."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases share a parser
                yield from _actions(child)
        elif action.option_strings:
            yield action


def unknown_settings(parser: argparse.ArgumentParser, settings: Mapping[str, Any]) -> list[str]:
    """The keys of ``settings`` that no option of ``parser`` (or of its subcommands) takes."""
    known = {a.dest for a in _actions(parser) if a.dest not in NOT_SETTINGS}
    return sorted(set(settings) - known)


def check(name: str, settings: Mapping[str, Any], parser: argparse.ArgumentParser) -> None:
    """ProfileError when profile ``name`` has a key that no command of ``parser`` takes (a typo)."""
    unknown = unknown_settings(parser, settings)
    if unknown:
        raise ProfileError(f"profile {name!r}: unknown setting(s) {', '.join(unknown)} "
                           "(keys are the flags without dashes, e.g. pool_id)")


def apply(parser: argparse.ArgumentParser, argv: Sequence[str], environ: Mapping[str, str] | None = None, *,
          strict: bool = True) -> str | None:
    """Make the chosen profile's settings the defaults of ``parser``'s options (and its subcommands'), except
    where the option's environment variable (``AUTHFLOW_<KEY>``) is set. Returns the profile's name, or None.
    ``strict``: ``parser`` has every command, so a key none of them takes is an error (with the parser of one
    command, the keys of the others are left alone; ``authflow profiles`` checks them all)."""
    env = os.environ if environ is None else environ
    name = chosen_profile(argv, env)
    if name is None:
        return None
    settings = profile(name, config_path(env))
    if strict:
        check(name, settings, parser)
    else:  # one command's parser: a key no command at all takes is still a typo
        typos = sorted(set(settings) - SETTINGS - {a.dest for a in _actions(parser)})
        if typos:
            raise ProfileError(f"profile {name!r}: unknown setting(s) {', '.join(typos)} "
                               "(keys are the flags without dashes, e.g. pool_id)")
    actions = [a for a in _actions(parser) if a.dest not in NOT_SETTINGS]
    for action in actions:
        if action.dest not in settings or env.get(environment_name(action.dest)):
            continue
        value = settings[action.dest]
        flag = isinstance(action, (argparse._StoreTrueAction, argparse._StoreFalseAction))
        if flag != isinstance(value, bool):
            kind = "true or false" if flag else "a string or a number"
            raise ProfileError(f"profile {name!r}: {action.dest} must be {kind}")
        # A string default goes through the option's type, as if typed after the flag; a value it refuses is
        # said as the profile's (a flag given on the command line wins, and then the value is never looked at).
        if flag:
            action.default = value
        else:
            fallback = action.default  # the command's own default, for a value meant for other commands
            action.default = _ProfileValue(str(value))
            action.default.origin = f"profile {name!r} in {config_path(env)}: {action.dest}"
            if callable(action.type):
                action.type = _ProfileChecked(action.type, name, config_path(env), action.dest, fallback)
    return name


class _ProfileValue(str):
    """A default that came from a profile (so that its option's type knows where it came from)."""

    origin = ""  # "profile 'work' in FILE: redirect_port"


def profile_origin(value: object) -> str | None:
    """Where an option's value came from when a profile gave it ("profile 'work' in FILE: key"), else None:
    for a value checked after parsing, whose complaint must not name a flag or variable nobody gave."""
    return value.origin if isinstance(value, _ProfileValue) and value.origin else None


#: The "(--flag / AUTHFLOW_VAR)" an option's own complaint names it by: not where a profile's value came from.
_WHERE_FROM = re.compile(r"\s*\((?:-[-\w]+\s*/\s*)?AUTHFLOW_\w+\)")


class _ProfileChecked:
    """An option's type that, for a value from a profile, says a refusal as the profile's: naming the profile
    and the file, not a flag or environment variable the person never gave (ProfileError: one line, exit 2)."""

    def __init__(self, convert: Any, profile_name: str, path: Path, key: str, fallback: Any = None) -> None:
        self.convert, self.profile_name, self.path, self.key = convert, profile_name, path, key
        self.fallback = fallback
        self.__name__ = getattr(convert, "__name__", "value")  # argparse names the type in its own messages

    def __call__(self, text: str) -> Any:
        if not isinstance(text, _ProfileValue):
            return self.convert(text)
        try:
            return self.convert(str(text))
        except (argparse.ArgumentTypeError, TypeError, ValueError) as exc:
            if str(text) in PER_COMMAND_VALUES.get(self.key, ()):  # another command's value: this one's default
                return self.convert(self.fallback) if isinstance(self.fallback, str) else self.fallback
            plain = {int: "not a whole number", float: "not a number"}.get(self.convert)
            reason = plain or _WHERE_FROM.sub("", str(exc)).strip()
            raise ProfileError(f"profile {self.profile_name!r} in {self.path}: {self.key} = {str(text)!r} is "
                               f"refused: {reason}") from None
