"""``authflow sign-up``, ``authflow confirm-sign-up [--resend]`` and ``authflow reset-password``.

Each runs one flow of the engine that begins with the account (``AuthFlow(begin=...)``) and ends signed in,
then prints the tokens as ``authflow login`` does. Answers come from the terminal, or from the environment:
AUTHFLOW_PASSWORD and AUTHFLOW_ATTRIBUTES or ``--attribute NAME=VALUE`` (sign-up; at a terminal, every
attribute the pool requires is asked for), AUTHFLOW_NEW_PASSWORD (reset), AUTHFLOW_CODE_COMMAND
(run with AUTHFLOW_CHALLENGE=CONFIRM_SIGN_UP or RESET_PASSWORD), and the login answers for the sign-in that
follows (MFA included).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from authflow.answers import EnvAnswers
from authflow.cli.options import (
    EXIT_OK,
    PoolConfig,
    add_cache_options,
    add_output_option,
    add_pool_options,
    add_sign_in_options,
    deadline,
)
from authflow.cli.output import print_tokens, terminal_output, warn, with_username
from authflow.cli.signin import NonInteractiveHandler, interactive, remember, token_cache, totp_secret_writer
from authflow.errors import AuthflowError, MissingAnswerError, UsageError
from authflow.helpformat import ExamplesHelpFormatter
from authflow.prompts import Answer, Prompt, PromptKind

#: Subcommand -> (what the flow begins with, help).
COMMANDS = {
    "sign-up": ("sign_up", "create an account (SignUp), confirm it with the code, sign in; print the tokens"),
    "confirm-sign-up": ("confirm_sign_up", "confirm an earlier sign-up with its code, sign in; print the tokens"),
    "reset-password": ("forgot_password", "reset a forgotten password with a code, sign in; print the tokens"),
}


#: What ``sign-up --help`` says of the answers it takes.
SIGN_UP_ANSWERS = (
    "The password comes from the terminal (typed twice) or AUTHFLOW_PASSWORD; the new account's attributes from "
    "--attribute NAME=VALUE (repeatable) and AUTHFLOW_ATTRIBUTES (a JSON object; a flag wins). At a terminal, "
    "every attribute the user pool requires is asked for (learned from Cognito's refusal when it was not given); "
    "with --non-interactive a missing one is an error naming it. The confirmation code comes from the terminal "
    "or AUTHFLOW_CODE_COMMAND (run with AUTHFLOW_CHALLENGE=CONFIRM_SIGN_UP)."
)


def attribute_assignment(text: str) -> tuple[str, str]:
    """``--attribute NAME=VALUE``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not NAME=VALUE (e.g. --attribute email=nina@example.com)")
    return name.strip(), value


def register(sub: Any) -> None:
    for name, (begin, summary) in COMMANDS.items():
        description = summary[0].upper() + summary[1:] + "."
        if name == "sign-up":
            description += " " + SIGN_UP_ANSWERS
        parser = sub.add_parser(name, help=summary, description=description, epilog=LIFECYCLE_EXAMPLES[name],
                                formatter_class=ExamplesHelpFormatter)
        add_pool_options(parser)
        add_sign_in_options(parser)
        if name == "confirm-sign-up":
            parser.add_argument("--resend", action="store_true", help="ask Cognito for a new code first")
        if name == "sign-up":
            parser.add_argument("--attribute", action="append", default=[], type=attribute_assignment,
                                metavar="NAME=VALUE", help="an attribute of the new account (repeatable), e.g. "
                                "--attribute name='Nina Smith'; also AUTHFLOW_ATTRIBUTES (a JSON object)")
        add_output_option(parser)
        add_cache_options(parser, login=True)
        parser.set_defaults(func=cmd_lifecycle, begin=begin)


LIFECYCLE_EXAMPLES = {
    "sign-up": """examples:
  authflow sign-up --username nina --attribute email=nina@example.com     at a terminal: the password, the code
  AUTHFLOW_PASSWORD=... AUTHFLOW_CODE_COMMAND='read-code nina' authflow sign-up --non-interactive --username nina""",
    "confirm-sign-up": """examples:
  authflow confirm-sign-up --username nina              the code Cognito sent at sign-up
  authflow confirm-sign-up --username nina --resend     a new code first""",
    "reset-password": """examples:
  authflow reset-password --username alice              at a terminal: the code sent, then the new password
  AUTHFLOW_NEW_PASSWORD=... AUTHFLOW_CODE_COMMAND='read-code alice' authflow reset-password --non-interactive \\
      --username alice""",
}


def cmd_lifecycle(args: argparse.Namespace) -> int:
    config = PoolConfig.from_args(args)
    if args.preferred_challenge and args.auth_flow != "USER_AUTH":
        raise UsageError("--preferred-challenge is for --auth-flow USER_AUTH only")
    begin = "resend_code" if getattr(args, "resend", False) else args.begin
    env = EnvAnswers.from_environ()
    given = dict(getattr(args, "attribute", []))
    if given:
        env = dataclasses.replace(env, attributes={**env.attributes, **given})
    secret_out = totp_secret_writer(args.totp_secret_out)
    handler: Any
    asking = interactive(args)
    if asking:
        from authflow.wizard import TerminalHandler

        handler = TerminalHandler(output=terminal_output(), env=env, totp_secret_out=secret_out)
        username = args.username or handler.ask_username()
    else:
        if not args.username:
            raise MissingAnswerError("no username: give --username or set AUTHFLOW_USERNAME")
        username = args.username
        handler = NonInteractiveHandler(env, totp_secret_out=secret_out, recover=True)
    from authflow import AuthFlow

    # At a terminal, a sign-up with neither an email address nor a phone number is asked for an email address
    # first: Cognito sends the confirmation code only to one of them, and an account created without either
    # can be confirmed only by an administrator (a retry with the address is refused: the name is taken).
    delivery = ("email",) if begin == "sign_up" and asking and not any(
        env.attributes.get(name) for name in ("email", "phone_number")) else ()
    pool = config.user_pool()
    flow = AuthFlow(pool, username, args.auth_flow, preferred_challenge=args.preferred_challenge,
                    begin=begin, deadline=deadline(args), totp_issuer=args.totp_issuer, sign_up_attributes=delivery)
    asked: list[Prompt] = []

    def answer(prompt: Prompt) -> Answer:  # the handler, noting the last question asked
        asked.append(prompt)
        return handler.answer(prompt)  # type: ignore[no-any-return]

    try:
        tokens = flow.run(answer, retry_unreachable=asking)  # a person says when to try again
    except (AuthflowError, KeyboardInterrupt) as exc:
        # SignUp went through, and the sign-up's code (the one question that offers a new code) was the last one
        # asked: the account exists, unconfirmed.
        waiting = bool(asked) and asked[-1].kind is PromptKind.CODE and asked[-1].resend is not None
        if begin == "sign_up" and waiting:
            note = (f"The account {username} exists now but is not confirmed: confirm it later with "
                    f"`authflow confirm-sign-up --username {username}` (--resend for a new code).")
            if isinstance(exc, AuthflowError):
                exc.advice = note
            else:
                warn(note)
        raise
    if asking:
        handler.say(f"✓ Signed in as {username}.", "class:ok")
    if not args.no_cache:
        remember(token_cache(args), config.cache_key(username), tokens, pool=pool)
    print_tokens(tokens, args.output, username=username, cached=not args.no_cache, announced=asking,
                 again=with_username("authflow login", username))
    return EXIT_OK

