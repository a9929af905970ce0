"""``authflow login --browser`` and ``authflow token --client-credentials`` (the options, and what they run).

    authflow login --browser [config] [--domain URL] [--redirect-port N] [--idp NAME] [--scope "S ..."]
                   [--no-browser]
    authflow token --client-credentials [config] [--scope "S ..."]

The browser sign-in is :class:`authflow.browser.BrowserSignIn`: the tokens are printed and cached as ``login``
prints and caches them. A machine token is :func:`authflow.client_credentials.machine_token`: the
client_credentials grant at the domain (GetClientToken through the API when no domain is given), cached until
5 minutes before it expires.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from authflow.cli.options import EXIT_OK, PoolConfig, env
from authflow.cli.output import command_run, one_line, print_tokens, warn
from authflow.cli.signin import remember, token_cache
from authflow.errors import AuthflowError, UsageError

if TYPE_CHECKING:
    from authflow.tokens import Tokens


def add_domain_options(parser: argparse.ArgumentParser, *, login: bool) -> None:
    group = parser.add_argument_group("managed login (the pool's domain)" if login else "machine-to-machine")
    if login:
        group.add_argument("--browser", action="store_true",
                           help="sign in through the browser: the pool's managed login, PKCE, a loopback redirect")
    else:
        group.add_argument("--client-credentials", action="store_true",
                           help="a machine-to-machine access token of the app client (needs its secret), cached "
                           "until 5 minutes before it expires")
    group.add_argument("--domain", metavar="URL", default=env("AUTHFLOW_DOMAIN"),
                       help="AUTHFLOW_DOMAIN: the pool's managed-login domain (https://..., or the local pool's URL; "
                       + ("default: --endpoint-url)" if login else "default: GetClientToken through the API)"))
    group.add_argument("--scope", metavar='"S ..."',
                       help="the OAuth scopes to ask for, space-separated (default: all the app client allows)")
    if login:
        group.add_argument("--redirect-port", metavar="N", default=env("AUTHFLOW_REDIRECT_PORT"),
                           help="AUTHFLOW_REDIRECT_PORT: redirect_uri http://127.0.0.1:N/callback (default: a free "
                           "port; then the app client must accept that loopback URL)")
        group.add_argument("--idp", metavar="NAME", help="identity_provider: straight to a federated provider")
        group.add_argument("--browser-timeout", metavar="SECONDS", default=env("AUTHFLOW_BROWSER_TIMEOUT"),
                           help="AUTHFLOW_BROWSER_TIMEOUT: how long to wait for the browser to come back "
                           "(default: 300, five minutes), then BrowserTimeout")
        group.add_argument("--no-browser", action="store_true",
                           help="print the authorization URL on stderr; read the redirected URL (or the code) "
                           "on stdin")


def _domain(args: argparse.Namespace, config: PoolConfig) -> str | None:
    domain = args.domain or config.endpoint_url
    return str(domain).rstrip("/") if domain else None


def _browser_timeout(value: Any) -> float | None:
    """--browser-timeout / AUTHFLOW_BROWSER_TIMEOUT in seconds, None when not given (BrowserSignIn's five minutes)."""
    if value in (None, ""):
        return None
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        from authflow.profiles import ProfileError, profile_origin

        origin = profile_origin(value)
        if origin is not None:
            raise ProfileError(f"{origin} = {str(value)!r} is refused: not a number of seconds above 0")
        raise UsageError(f"--browser-timeout / AUTHFLOW_BROWSER_TIMEOUT {value!r} is not a number of seconds above 0")
    return seconds


def _port(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        port = int(str(value))
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        from authflow.profiles import ProfileError, profile_origin

        origin = profile_origin(value)
        if origin is not None:  # the profile's mistake, not a flag's or a variable's
            raise ProfileError(f"{origin} = {str(value)!r} is refused: not a port (1-65535)")
        raise UsageError(f"--redirect-port / AUTHFLOW_REDIRECT_PORT {value!r} is not a port (1-65535)")
    return port


def cmd_login_browser(args: argparse.Namespace, config: PoolConfig) -> int:
    """Managed login in the system browser (or pasted back), then the tokens printed and cached."""
    from authflow.browser import DEFAULT_TIMEOUT, BrowserSignIn
    from authflow.tokencache import internal_username

    if args.users is not None or args.totp_secret_out is not None:
        raise UsageError("--browser signs one person in through the browser: no --users, no --totp-secret-out")
    domain = _domain(args, config)
    if domain is None:
        raise UsageError("--browser needs the pool's domain: give --domain or set AUTHFLOW_DOMAIN")
    signer = BrowserSignIn(
        domain=domain, pool_id=config.pool_id, client_id=config.client_id, client_secret=config.client_secret,
        region=config.region, endpoint_url=config.endpoint_url, scopes=tuple((args.scope or "").split()),
        redirect_port=_port(args.redirect_port), identity_provider=args.idp,
        timeout=_browser_timeout(args.browser_timeout) or DEFAULT_TIMEOUT,
    )
    if args.no_browser:
        tokens = signer.sign_in_pasted(
            _read_pasted, lambda url: warn(f"Open this address in a browser to sign in:\n{url}"),
            on_mistake=_say_and_ask_again if _at_a_terminal(args) else None,
        )
    else:
        tokens = signer.sign_in(on_url=lambda url: warn(
            f"Opening the browser to sign in (Ctrl-C to stop). If it does not open, visit:\n{url}"))
    username = _cache_name(args.username, tokens, internal_username(tokens))
    if not args.no_cache and username:
        remember(token_cache(args), config.cache_key(username), tokens)
    print_tokens(tokens, args.output, username=username or "the user", cached=not args.no_cache,
                 again=command_run())
    return EXIT_OK


def _cache_name(given: str | None, tokens: Tokens, signed_in: str | None) -> str | None:
    """The name the tokens are kept under: --username when it names the user the browser signed in (the user name
    or one of its aliases in the id token: email, phone number), else that user's own name, said on stderr (the
    person signed in as someone else in the browser: kept under --username, `authflow token` would hand out
    another user's token)."""
    if not given or not signed_in or given == signed_in:
        return given or signed_in
    from authflow.tokencache import jwt_claims

    claims = jwt_claims(tokens.id_token) if tokens.id_token else {}
    aliases = {str(claims.get(name, "")).lower() for name in ("email", "phone_number", "preferred_username")}
    if given.lower() in aliases - {""}:
        return given
    warn(f"the browser signed in {signed_in}, not {given}: the tokens are kept for {signed_in}")
    return signed_in


def _at_a_terminal(args: argparse.Namespace) -> bool:
    """A person pastes the address: a mistake is said and the address asked again (a script's is an error)."""
    return sys.stdin.isatty() and not getattr(args, "non_interactive", False)


def _read_pasted() -> str:
    sys.stderr.write("Paste the address the browser was sent to (or the code), then Enter: ")
    sys.stderr.flush()
    line = sys.stdin.readline()
    if not line:
        from authflow.errors import EndOfInput

        raise EndOfInput("no redirected address was pasted")
    return line


def _say_and_ask_again(mistake: AuthflowError) -> None:
    """One line: what was wrong with the paste, and that it is asked again."""
    from authflow.cli.explain import error_line

    sys.stderr.write(one_line(f"{error_line(mistake)} Try again (Ctrl-C to stop).") + "\n")
    sys.stderr.flush()


def machine_tokens(args: argparse.Namespace, config: PoolConfig) -> Tokens:
    """The client-credentials grant's token, from the cache while it is good for 5 more minutes."""
    from authflow.client_credentials import machine_token

    if args.id_token or getattr(args, "output", None) == "id-token":
        raise UsageError("--client-credentials gives an access token only: no --id-token")
    if not config.client_secret:
        raise UsageError("--client-credentials needs the app client's secret: --client-secret or "
                         "AUTHFLOW_CLIENT_SECRET")
    domain = args.domain.rstrip("/") if args.domain else None
    tokens: Tokens = machine_token(
        token_cache(args), pool_id=config.pool_id, client_id=config.client_id, client_secret=config.client_secret,
        scopes=tuple((args.scope or "").split()), domain=domain,
        pool=None if domain else config.user_pool(), endpoint_url=config.endpoint_url,
    )
    return tokens
