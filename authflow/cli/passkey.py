"""``authflow passkey add|list|delete``: the signed-in user's passkeys.

They act for the user of the cached tokens (refreshed as ``authflow token`` does, else signing in with the
login answers). ``add`` makes the passkey with a new software passkey file (``--software FILE``) or a FIDO2
security key over USB; the WebAuthn origin is ``https://<RelyingPartyId>`` unless ``--origin``
(AUTHFLOW_PASSKEY_ORIGIN).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from authflow.cli.options import EXIT_OK, ArgumentParser, add_signed_in_options
from authflow.helpformat import ExamplesHelpFormatter

#: A credential id as ``list`` prints it: base64url of 16 bytes or more, which may begin with "-".
_CREDENTIAL_ID = re.compile(r"-[A-Za-z0-9_-]{20,}")


class _ActionParser(ArgumentParser):
    """Takes an argument that begins with "-" but is a credential id, not an option of this command, as the
    CREDENTIAL_ID it is (argparse would refuse it as an unknown option)."""

    def _parse_optional(self, arg_string: str) -> Any:
        if _CREDENTIAL_ID.fullmatch(arg_string) and not any(
                option.startswith(arg_string) for option in self._option_string_actions):
            return None
        return super()._parse_optional(arg_string)


PASSKEY_EXAMPLES = """\
examples:
  authflow passkey add --software ~/.alice.passkey    a software passkey (tests, CI); then sign in with it:
  AUTHFLOW_PASSKEY_FILE=~/.alice.passkey authflow login --auth-flow USER_AUTH --preferred-challenge WEB_AUTHN
  authflow passkey list                               the ids of the user's passkeys
  authflow passkey delete CREDENTIAL_ID               one of them
"""


def register(sub: Any) -> None:
    passkey = sub.add_parser("passkey", help="add, list or delete the signed-in user's passkeys",
                             description="The signed-in user's passkeys (WebAuthn). Each action acts for the "
                             "signed-in user: the cached tokens (refreshed as `authflow token` does), else a "
                             "sign-in first with the login answers.",
                             epilog=PASSKEY_EXAMPLES, formatter_class=ExamplesHelpFormatter)
    actions = passkey.add_subparsers(dest="passkey_command", metavar="ACTION", parser_class=_ActionParser)
    actions.required = True
    add = actions.add_parser(
        "add", help="register a new passkey; prints {\"CredentialId\": ...}",
        description="Register a new passkey for the signed-in user (StartWebAuthnRegistration, the authenticator, "
        "CompleteWebAuthnRegistration) and print {\"CredentialId\": ...}: on a FIDO2 security key over USB, or "
        "with --software FILE as a software passkey kept in FILE.")
    add.add_argument("--software", metavar="FILE", type=Path,
                     help="a new software passkey written to FILE (mode 0600; an existing FILE or a symlink is "
                     "refused); without it, a FIDO2 security key over USB")
    add.add_argument("--name", metavar="NAME", help="a label kept in the software passkey file (Cognito names "
                     "passkeys itself: its API takes no name)")
    add.add_argument("--origin", metavar="URL", default=os.environ.get("AUTHFLOW_PASSKEY_ORIGIN") or None,
                     help="the WebAuthn origin (AUTHFLOW_PASSKEY_ORIGIN; default https://<RelyingPartyId>)")
    add.set_defaults(func=cmd_add)
    listing = actions.add_parser(
        "list", help="print the passkeys (every page) as a JSON array",
        description="Print the signed-in user's passkeys as one JSON array (ListWebAuthnCredentials' Credentials, "
        "every page): CredentialId, FriendlyCredentialName, RelyingPartyId, CreatedAt...")
    listing.set_defaults(func=cmd_list)
    delete = actions.add_parser(
        "delete", help="delete one passkey",
        description="Delete one of the signed-in user's passkeys (DeleteWebAuthnCredential); says on stderr what "
        "was deleted.")
    delete.add_argument("credential_id", metavar="CREDENTIAL_ID",
                        help="the passkey's CredentialId, as `authflow passkey list` or `passkey add` prints it")
    delete.set_defaults(func=cmd_delete)
    for parser in (add, listing, delete):
        add_signed_in_options(parser)


def _signed_in(args: argparse.Namespace) -> tuple[Any, str]:
    """The signed-in user's account (its calls carry the current access token and renew it where Cognito refuses
    it: revoked by a global sign-out elsewhere, they sign in again as `authflow account` does), and that token."""
    from authflow.cli.account import _account

    account = _account(args)
    return account, account.tokens.access_token


def cmd_add(args: argparse.Namespace) -> int:
    from authflow.passkeys import SecurityKey, SoftwarePasskey, register_passkey

    authenticator: Any
    if args.software is not None:
        authenticator = SoftwarePasskey.generate(args.software, name=args.name)  # refused before anything is sent
    else:
        authenticator = SecurityKey(on_touch=lambda: print("Touch your security key.", file=sys.stderr),
                                    pin=_pin_asker(args))
    try:
        pool, access_token = _signed_in(args)
        credential_id = register_passkey(pool, access_token, authenticator, origin=args.origin)
    except BaseException:
        if args.software is not None:  # a key the pool never took is of no use to anyone
            with contextlib.suppress(FileNotFoundError):
                args.software.unlink()
        raise
    print(json.dumps({"CredentialId": credential_id}))
    return EXIT_OK


def _pin_asker(args: argparse.Namespace) -> Any:
    """What asks the security key's PIN: a person at a terminal; never with --non-interactive (no PIN then)."""

    def ask() -> str | None:
        if getattr(args, "non_interactive", False) or not sys.stdin.isatty():
            return None
        import getpass

        return getpass.getpass("PIN of the security key: ") or None

    return ask


def cmd_list(args: argparse.Namespace) -> int:
    from authflow.passkeys import list_passkeys

    pool, access_token = _signed_in(args)
    print(json.dumps(list_passkeys(pool, access_token)))
    return EXIT_OK


def cmd_delete(args: argparse.Namespace) -> int:
    from authflow.passkeys import delete_passkey

    pool, access_token = _signed_in(args)
    delete_passkey(pool, access_token, args.credential_id)
    print(f"Deleted the passkey {args.credential_id} of {args.username or 'the signed-in user'}.", file=sys.stderr)
    return EXIT_OK
