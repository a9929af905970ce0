"""``authflow account``: the signed-in user's account, and each change to it.

``authflow account`` prints the account as one JSON object; ``password``, ``mfa ...``, ``devices ...``,
``attributes ...`` change it and then print it the same way; ``delete --yes`` deletes it (and forgets the cached
tokens). Each acts for the cached sign-in (refreshed as ``authflow token`` does, else signing in first with the
login answers) through :class:`authflow.account.Account`, whose questions are the sign-in's prompts: the
wizard asks them at a terminal, the ``AUTHFLOW_*`` answers answer them otherwise (AUTHFLOW_PASSWORD is the
current password, AUTHFLOW_NEW_PASSWORD the new one, AUTHFLOW_CODE_COMMAND gives a verification code with
AUTHFLOW_CHALLENGE=VERIFY_ATTRIBUTE). Every Cognito call goes through the transport (botocore), like every
other command's.
"""

from __future__ import annotations

import argparse
import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from authflow.cli.options import EXIT_OK, PoolConfig, add_signed_in_options, keep_outer_values, one_of

if TYPE_CHECKING:
    from authflow.account import Account
    from authflow.tokens import Tokens

METHODS = ("sms", "email", "totp")


def register(sub: Any) -> None:
    account = sub.add_parser(
        "account", help="print the signed-in user's account, or change it (password, MFA, devices, attributes)",
        description="The signed-in user's account: printed as JSON, or changed (then printed).")
    add_signed_in_options(account)
    account.add_argument("--output", metavar="FORMAT", type=one_of(("json",)), default="json", help="json (default)")
    account.set_defaults(func=cmd_show)
    actions = account.add_subparsers(dest="account_command", metavar="ACTION")
    actions.required = False

    def action(name: str, summary: str, func: Any, parent: Any = actions) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = parent.add_parser(name, help=summary, description=summary + ".")
        add_signed_in_options(parser)
        keep_outer_values(parser)
        parser.set_defaults(func=func)
        return parser

    action("password", "change the password (AUTHFLOW_PASSWORD: current, AUTHFLOW_NEW_PASSWORD: new)", cmd_password)

    mfa = actions.add_parser("mfa", help="multi-factor authentication: authenticator app, methods, passkey MFA")
    mfa_actions = mfa.add_subparsers(dest="mfa_command", metavar="ACTION")
    mfa_actions.required = True
    totp = action("totp", "add or replace the authenticator app (then it is enabled and preferred)", cmd_mfa_totp,
                  mfa_actions)
    totp.add_argument("--device-name", metavar="NAME", help="the authenticator's name (FriendlyDeviceName)")
    for option in totp._actions:  # here the file is the new authenticator's, not a sign-in's MFA_SETUP
        if option.dest == "totp_secret_out":
            option.help = ("the new authenticator's base32 secret (and nothing else) is written here, mode 0600, "
                           "before it is verified; needed when not at a terminal (else exit 2, nothing associated)")
    for name, summary in (("enable", "turn an MFA method on"), ("disable", "turn an MFA method off"),
                          ("prefer", "make an MFA method the preferred one")):
        parser = action(name, summary, cmd_mfa_method, mfa_actions)
        parser.add_argument("method", metavar="sms|email|totp", type=one_of(METHODS))
    passkey = action("passkey", "passkey MFA on or off (sent with the other enabled methods)", cmd_mfa_passkey,
                     mfa_actions)
    passkey.add_argument("switch", metavar="on|off", type=one_of(("on", "off")))

    devices = actions.add_parser("devices", help="remembered devices: forget, remember, forget-not")
    device_actions = devices.add_subparsers(dest="devices_command", metavar="ACTION")
    device_actions.required = True
    forget = action("forget", "forget a device (ForgetDevice)", cmd_devices_forget, device_actions)
    forget.add_argument("device_key", metavar="DEVICE_KEY", nargs="?")
    forget.add_argument("--current", action="store_true", help="this sign-in's device (forgotten in the cache too)")
    for name, status in (("remember", "remembered"), ("forget-not", "not_remembered")):
        parser = action(name, f"UpdateDeviceStatus {status}", cmd_devices_status, device_actions)
        parser.add_argument("device_key", metavar="DEVICE_KEY")
        parser.set_defaults(remembered=status == "remembered")

    attributes = actions.add_parser("attributes", help="set, verify or delete user attributes")
    attribute_actions = attributes.add_subparsers(dest="attributes_command", metavar="ACTION")
    attribute_actions.required = True
    setting = action("set", "UpdateUserAttributes (a code Cognito sends is asked for, or AUTHFLOW_CODE_COMMAND)",
                     cmd_attributes_set, attribute_actions)
    setting.add_argument("values", metavar="NAME=VALUE", nargs="+")
    verify = action("verify", "verify email or phone_number with a code", cmd_attributes_verify, attribute_actions)
    verify.add_argument("name", metavar="NAME")
    verify.add_argument("--resend", action="store_true", help="ask Cognito for a new code first")
    delete = action("delete", "DeleteUserAttributes", cmd_attributes_delete, attribute_actions)
    delete.add_argument("names", metavar="NAME", nargs="+")

    remove = action("delete", "delete the account (DeleteUser); the cached tokens are forgotten", cmd_delete)
    remove.add_argument("--yes", action="store_true", help="do not ask for the username to confirm (needed when "
                        "not at a terminal, else exit 2 and nothing is deleted)")


# --- the account of the cached sign-in -----------------------------------------------------------------


def _account(args: argparse.Namespace) -> Account:
    from authflow.account import Account
    from authflow.cli.signin import kept_device, remember, sign_in_from_args, token_cache, username_for, valid_tokens

    config = PoolConfig.from_args(args)
    username = username_for(args)
    tokens = valid_tokens(args, config, username, leeway=60.0)
    pool = config.user_pool()
    cache, key = token_cache(args), config.cache_key(username)

    def sign_in_again() -> Tokens:  # the cached sign-in was revoked (a global sign-out elsewhere)
        device = kept_device(cache, key)
        _, fresh = sign_in_from_args(args, pool, username, device=device)
        remember(cache, key, fresh, pool=pool, device=device)
        return fresh

    return Account(pool, tokens, username=username, cache=cache, cache_key=key, sign_in_again=sign_in_again,
                   totp_issuer=getattr(args, "totp_issuer", None))


def _handler(args: argparse.Namespace) -> Any:
    """The wizard at a terminal, else the AUTHFLOW_* answers."""
    from authflow.answers import EnvAnswers
    from authflow.cli.signin import NonInteractiveHandler, interactive, totp_secret_writer

    env = EnvAnswers.from_environ()
    secret_out = totp_secret_writer(args.totp_secret_out)
    if interactive(args):
        from authflow.cli.output import terminal_output
        from authflow.wizard import TerminalHandler

        return TerminalHandler(output=terminal_output(), env=env, totp_secret_out=secret_out)
    return NonInteractiveHandler(env, totp_secret_out=secret_out)


def _print(account: Account) -> int:
    print(json.dumps(account.info().to_json()))
    return EXIT_OK


def _change(args: argparse.Namespace, start: Any) -> int:
    """Run the change ``start(account)`` returns, asking the handler; then print the account."""
    handler = _handler(args)  # a malformed answer in the environment is a usage error before any call
    account = _account(args)
    _run(args, start(account), handler)
    return _print(account)


def _run(args: argparse.Namespace, flow: Any, handler: Any) -> Any:
    """Run an account change. At a terminal, a question whose answer could not reach Cognito is asked again (the
    person says when to try); a script's run ends on it, as a sign-in's does."""
    from authflow.cli.signin import interactive

    return flow.run(handler, retry_unreachable=handler is not None and interactive(args))


def cmd_show(args: argparse.Namespace) -> int:
    return _print(_account(args))


def cmd_password(args: argparse.Namespace) -> int:
    return _change(args, lambda account: account.change_password())


def cmd_mfa_totp(args: argparse.Namespace) -> int:
    from authflow.cli.signin import interactive
    from authflow.errors import MissingAnswerError

    if args.totp_secret_out is not None and not args.totp_secret_out.parent.is_dir():
        raise MissingAnswerError(f"--totp-secret-out: {args.totp_secret_out.parent} is not a directory")
    if not interactive(args) and args.totp_secret_out is None:
        raise MissingAnswerError("a new authenticator app needs --totp-secret-out FILE when not at a terminal "
                                 "(the new secret is written there before it is verified); nothing was changed")
    return _change(args, lambda account: account.set_up_totp(args.device_name))


def cmd_mfa_method(args: argparse.Namespace) -> int:
    from authflow.cli.signin import interactive
    from authflow.errors import MissingAnswerError

    command = args.mfa_command
    handler = _handler(args)
    account = _account(args)
    if command != "disable" and args.method == "email" and not interactive(args) \
            and not account.attributes().get("email"):  # the address would be asked for: say how to give it
        missing = MissingAnswerError("the account has no email address to send MFA codes to")
        missing.advice = ("Set one first with `authflow account attributes set email=ADDRESS` (its code from "
                          f"AUTHFLOW_CODE_COMMAND), then run `authflow account mfa {command} email` again; or run "
                          "this at a terminal, which asks for the address.")
        raise missing
    flow = (account.enable_mfa(args.method) if command == "enable"
            else account.disable_mfa(args.method) if command == "disable"
            else account.prefer_mfa(args.method))
    _run(args, flow, handler)
    return _print(account)


def cmd_mfa_passkey(args: argparse.Namespace) -> int:
    return _change(args, lambda account: account.set_passkey_mfa(args.switch == "on"))


def cmd_devices_forget(args: argparse.Namespace) -> int:
    from authflow.errors import UsageError

    if bool(args.device_key) == bool(args.current):
        raise UsageError("give a DEVICE_KEY or --current (not both)")
    with _device_hint():
        return _change(args, lambda account: account.forget_device(None if args.current else args.device_key))


def cmd_devices_status(args: argparse.Namespace) -> int:
    with _device_hint():
        return _change(args, lambda account: account.remember_device(args.device_key, args.remembered))


@contextlib.contextmanager
def _device_hint() -> Iterator[None]:
    """A DEVICE_KEY Cognito does not know: the one line also says where the keys are seen."""
    from authflow.errors import DeviceNotFoundError

    try:
        yield
    except DeviceNotFoundError as exc:
        exc.advice = ("`authflow account` lists the account's devices with their DeviceKey (`authflow account "
                      "devices forget --current` forgets this sign-in's device).")
        raise


def cmd_attributes_set(args: argparse.Namespace) -> int:
    from authflow.errors import MissingAnswerError, UsageError

    values: dict[str, str] = {}
    for item in args.values:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise UsageError(f"{item!r} is not NAME=VALUE (e.g. email=ada@example.com)")
        values[name.strip()] = value
    from authflow.account import AttributeNotVerifiedError

    try:
        return _change(args, lambda account: account.update_attributes(values))
    except AttributeNotVerifiedError as exc:
        names = " ".join(name for name in values if name in ("email", "phone_number")) or "NAME"
        exc.advice = (f"The new value stands, unverified: verify it later with `authflow account attributes verify "
                      f"{names}` (the code from AUTHFLOW_CODE_COMMAND, or --resend for a new one).")
        if isinstance(exc.reason, MissingAnswerError):  # the code was not given: exit 2, as the contract says
            from authflow.cli.explain import error_line
            from authflow.cli.options import EXIT_USAGE
            from authflow.cli.output import fail

            return fail(error_line(exc, args), EXIT_USAGE)
        raise


def cmd_attributes_verify(args: argparse.Namespace) -> int:
    """Without --resend nothing is sent first: at a terminal the prompt says so and "r" sends a code; in a script
    the code command may give one sent earlier (Cognito does not say whether one is pending), and when it gives
    none, or one Cognito refuses, the error says that this command sent none and that --resend sends one."""
    from authflow.cli.output import warn
    from authflow.cli.signin import interactive
    from authflow.errors import CodeMismatchError, ExpiredCodeError, MissingAnswerError

    handler = _handler(args)
    account = _account(args)
    name = args.name
    sent_none = not args.resend and not interactive(args)
    try:
        verified_now = _run(args, account.verify_attribute(name, resend=args.resend), handler)
    except MissingAnswerError as exc:
        if not sent_none:
            raise
        missing = MissingAnswerError(f"no code to verify {name} was given, and this command sent none (Cognito "
                                     "does not say whether a code sent earlier is still pending)")
        missing.advice = ("Give the code sent earlier with AUTHFLOW_CODE_COMMAND (it runs with "
                          "AUTHFLOW_CHALLENGE=VERIFY_ATTRIBUTE), or add --resend to send a new one.")
        raise missing from exc
    except (CodeMismatchError, ExpiredCodeError) as exc:
        if sent_none:
            exc.advice = "This command sent no code: add --resend to send a new one."
        raise
    if not verified_now:
        warn(f"{name} is verified already: no code was sent or asked for")
    return _print(account)


def cmd_attributes_delete(args: argparse.Namespace) -> int:
    return _change(args, lambda account: account.delete_attributes(args.names))


def cmd_delete(args: argparse.Namespace) -> int:
    from authflow.cli.signin import interactive
    from authflow.errors import MissingAnswerError

    if not args.yes and not interactive(args):
        raise MissingAnswerError("deleting the account needs --yes when not at a terminal; nothing was deleted")
    handler = None if args.yes else _handler(args)
    account = _account(args)
    _run(args, account.delete(account.username if args.yes else None), handler)
    return EXIT_OK
