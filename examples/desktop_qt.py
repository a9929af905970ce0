"""A desktop app that signs in with authflow's Qt dialog and shows who is signed in, with the account dialog
(password, authenticator app, MFA, devices, email, deletion) and sign-out.

    pip install 'authflow[qt]'
    python examples/desktop_qt.py                       # against the local user pool's demo users
    python examples/desktop_qt.py --pool-id eu-west-1_AbC --client-id 123abc [--keyring] [--sign-up email]
    python examples/desktop_qt.py ... --domain https://auth.example.com [--provider Google]   # managed login

Against the local user pool, the window shows the codes the pool "sends" (SMS and email codes, from its
outbox) and tina's current authenticator code, and the pool's endpoint is printed: nothing is really sent.

With a real pool, a client secret comes from AUTHFLOW_CLIENT_SECRET. ``--keyring`` keeps the tokens in the
system keyring (``pip install 'authflow[keyring]'``) and signs the person in again without the dialog
while they are valid.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from authflow import Account, UserPool
from authflow.browser import BrowserSignIn
from authflow.labels import MEDIUM_LABELS
from authflow.qt import DialogResult, SignInDialog, in_background
from authflow.qt_account import AccountDialog
from authflow.tokencache import CacheKey, TokenCache, jwt_claims
from authflow.tokens import Tokens
from authflow.totp import code_now

#: The demo user whose authenticator code the window shows (the local pool's demo seed).
TINA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class MainWindow(QMainWindow):
    """Who is signed in, and a button to sign in or out."""

    def __init__(
        self, pool: UserPool, *, token_cache: TokenCache | None = None, hint: str = "",
        sign_up_attributes: tuple[str, ...] | None = None,
        browser: BrowserSignIn | None = None, providers: tuple[str, ...] = (),
        messages: Callable[[], str] | None = None,
    ) -> None:
        super().__init__()
        self.pool, self.token_cache, self.sign_up_attributes = pool, token_cache, sign_up_attributes
        #: Managed login: "Sign in with the browser" and "Continue with <provider>" in the dialog.
        self.browser, self.providers = browser, providers
        self.tokens: Tokens | None = None
        self.username = ""
        self.dialog: SignInDialog | None = None
        self.setWindowTitle("authflow desktop example")
        body = QWidget()
        layout = QVBoxLayout(body)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.hint = QLabel(hint)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #555")
        self.button = QPushButton()
        self.button.setObjectName("sign_in_out")
        self.button.clicked.connect(self.sign_in_or_out)
        self.account_button = QPushButton("Account…")
        self.account_button.setObjectName("account")
        self.account_button.clicked.connect(self.open_account)
        self.account_dialog: AccountDialog | None = None
        layout.addWidget(self.status)
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addWidget(self.account_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.hint)
        #: The local pool's messages (what a real pool would text or email), refreshed every second.
        self.messages = QLabel()
        self.messages.setObjectName("messages")
        self.messages.setWordWrap(True)
        self.messages.setStyleSheet("background: #f6f6f6; border: 1px solid #ccc; padding: 6px;")
        self.messages.setVisible(messages is not None)
        layout.addWidget(self.messages)
        if messages is not None:
            self._read_messages = messages
            self._reading = False
            self.message_timer = QTimer(self)
            self.message_timer.timeout.connect(self.refresh_messages)
            self.message_timer.start(1000)
            self.refresh_messages()
        layout.addStretch(1)
        self.setCentralWidget(body)
        self.resize(600, 360 if messages is not None else 160)  # room for the hint and the messages
        self.show_signed_out()

    def refresh_messages(self) -> None:
        """Read the local pool's outbox off the UI thread, then show it."""
        if self._reading:
            return
        self._reading = True

        def shown(text: Any, error: BaseException | None) -> None:
            self._reading = False
            self.messages.setText(text if error is None else f"The local pool's messages cannot be read ({error}).")
            self.fit()

        in_background(self, self._read_messages, shown)

    def fit(self) -> None:
        """Grow the window to what its wrapped lines need at its width: Qt sizes a window from its widgets'
        minimum sizes, which a word-wrapped label does not give (at a larger font the hint was cut off)."""
        body = self.centralWidget()
        layout = body.layout() if body is not None else None
        if body is None or layout is None:
            return
        layout.activate()
        missing = layout.totalHeightForWidth(body.width()) - body.height()
        if missing > 0:
            self.resize(self.width(), self.height() + missing)

    def sign_in_or_out(self) -> None:
        if self.tokens is None:
            self.dialog = SignInDialog(
                self.pool, self, token_cache=self.token_cache, allow_sign_up=self.sign_up_attributes is not None,
                flow_options={"sign_up_attributes": self.sign_up_attributes or ()},
                browser=self.browser, providers=self.providers,
            )
            self.dialog.accepted.connect(lambda: self.signed_in(self.dialog.result_value))  # type: ignore[union-attr]
            self.dialog.open()  # window-modal; the app's event loop keeps running
        else:
            self.sign_out()

    def signed_in(self, result: DialogResult | None) -> None:
        if result is not None:
            self.show_signed_in(result.username, result.tokens)

    def show_signed_in(self, username: str, tokens: Tokens) -> None:
        self.username, self.tokens = username, tokens
        claims = jwt_claims(tokens.id_token) if tokens.id_token else {}
        who = claims.get("name") or claims.get("email") or username
        self.status.setText(f"Signed in as <b>{who}</b> ({claims.get('cognito:username', username)}).")
        self.button.setText("Sign out")
        self.account_button.show()
        self.hint.hide()
        self.fit()

    def show_signed_out(self, message: str = "Not signed in.") -> None:
        self.tokens = None
        self.status.setText(message)
        self.button.setText("Sign in…")
        self.button.setEnabled(True)
        self.account_button.hide()
        self.hint.setVisible(bool(self.hint.text()))
        self.fit()

    def open_account(self) -> None:
        """The account dialog for the signed-in user (its changes run on workers, as the sign-in does)."""
        assert self.tokens is not None
        key = cache_key(self.pool, self.username)
        account = Account(self.pool, self.tokens, username=self.username, cache=self.token_cache,
                          cache_key=key if self.token_cache is not None else None,
                          on_tokens=lambda tokens: setattr(self, "tokens", tokens))
        self.account_dialog = AccountDialog(account, self)
        self.account_dialog.widget.deleted.connect(lambda: self.show_signed_out("The account was deleted."))
        self.account_dialog.widget.signed_out.connect(lambda: self.show_signed_out("Signed out everywhere."))
        self.account_dialog.open()

    def sign_out(self) -> None:
        """Revoke the refresh token (and the access tokens it gave) at Cognito, off the UI thread."""
        tokens, username = self.tokens, self.username
        assert tokens is not None
        self.button.setEnabled(False)

        def revoke() -> None:
            if tokens.refresh_token:
                self.pool.revoke_token(tokens.refresh_token)
            if self.token_cache is not None:
                self.token_cache.forget(cache_key(self.pool, username))

        def done(_result: Any, error: BaseException | None) -> None:
            if error is not None:
                QMessageBox.warning(self, "Sign out", f"Signed out here, but Cognito said: {error}")
            self.show_signed_out("Signed out.")

        in_background(self, revoke, done)


def cache_key(pool: UserPool, username: str) -> CacheKey:
    return CacheKey(pool.pool_id, pool.client_id, username, pool.endpoint_url)


@contextlib.contextmanager
def user_pool(args: argparse.Namespace) -> Iterator[tuple[UserPool, str]]:
    """The pool from the arguments, or the local user pool's demo users (and a line about them)."""
    if args.pool_id:
        secret = os.environ.get("AUTHFLOW_CLIENT_SECRET")
        yield UserPool(args.pool_id, args.client_id, secret, region=args.region, endpoint_url=args.endpoint_url), ""
        return
    from authflow.localpool import LocalUserPool

    with LocalUserPool("demo") as local:
        pool = UserPool(local.pool_id, local.client_id, endpoint_url=local.endpoint_url)
        users = [user for user in local.demo_users() if user.get("pool_id") == local.pool_id]  # this app's pool
        yield pool, demo_hint(local.endpoint_url, users, local.seed)


def demo_hint(endpoint_url: str, users: list[dict[str, Any]], seed: dict[str, Any]) -> str:
    """The demo users (the local pool's seed's) with their passwords and what signing in here shows, a user a
    line (a narrow label never breaks a password in two); then the users of the seed's federated providers."""
    lines = [f"Local user pool at {endpoint_url}. Try:"]
    lines += [f"  {user['username']} / {user['password']} ({what_sign_in_shows(user)})" for user in users]
    for entry in seed.get("pools") or []:
        for provider in entry.get("identity_providers") or []:
            lines += [f"  {person['username']} / {person['password']} (Continue with {provider['name']}: the browser)"
                      for person in provider.get("users") or [] if person.get("password")]
    lines.append("authflow local-pool lists every demo user.")
    return "\n".join(lines)


def what_sign_in_shows(user: dict[str, Any]) -> str:
    """What the dialog asks a demo user (a row of ``LocalUserPool.demo_users``) after the password."""
    mfa = list(user.get("mfa") or [])
    if user.get("status") == "FORCE_CHANGE_PASSWORD":
        return "a new password"
    if len(mfa) > 1:
        return "a choice of MFA method"
    if mfa == ["SOFTWARE_TOKEN_MFA"]:
        return "an authenticator code, below" if user.get("totp_secret") == TINA_SECRET else "an authenticator code"
    if mfa:
        medium = "SMS" if mfa[0].startswith("SMS") else "EMAIL"
        return f"a code {MEDIUM_LABELS[medium]}, below"
    return "tokens at once"


def local_messages(endpoint_url: str, limit: int = 4, now: Callable[[], float] = time.time) -> Callable[[], str]:
    """What the local pool "sent" lately (its outbox, over HTTP as any program would read it) and tina's
    authenticator code at ``now()``, as lines for a person."""

    def read() -> str:
        with urllib.request.urlopen(f"{endpoint_url}/_local/outbox", timeout=2) as reply:
            sent = json.load(reply)
        lines = [f"{m['medium']} to {m['destination']} for {m['username']}: {m['code']}" for m in sent[-limit:]]
        lines.append(f"tina's authenticator app shows {code_now(TINA_SECRET, now())} now.")
        return "Messages from the local pool (nothing is really sent):\n" + "\n".join(lines)

    return read


def browser_for(args: argparse.Namespace, pool: UserPool) -> tuple[BrowserSignIn | None, tuple[str, ...]]:
    """Managed login: the pool's domain (the local pool serves it itself, with its LocalOIDC provider)."""
    domain = getattr(args, "domain", None) or (None if args.pool_id else pool.endpoint_url)
    if not domain:
        return None, ()
    providers = tuple(getattr(args, "provider", None) or (() if args.pool_id else ("LocalOIDC",)))
    browser = BrowserSignIn(domain=domain, pool_id=pool.pool_id, client_id=pool.client_id,
                            client_secret=os.environ.get("AUTHFLOW_CLIENT_SECRET") if args.pool_id else None,
                            region=pool.region, endpoint_url=pool.endpoint_url,
                            scopes=("openid", "email", "profile", "aws.cognito.signin.user.admin"))
    return browser, providers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pool-id", help="a real user pool (default: the local user pool)")
    parser.add_argument("--client-id", help="its app client")
    parser.add_argument("--region", help="default: from the pool id")
    parser.add_argument("--endpoint-url", help="a Cognito-compatible endpoint")
    parser.add_argument("--keyring", action="store_true", help="keep the tokens in the system keyring")
    parser.add_argument("--username", help="with --keyring: the user whose kept tokens to use")
    parser.add_argument("--sign-up", metavar="ATTRIBUTES", default=None,
                        help="offer sign-up, asking these attributes (comma-separated; local pool: name,email)")
    parser.add_argument("--domain", help="the pool's managed-login domain: offer to sign in with the browser")
    parser.add_argument("--provider", action="append", help="a federated provider to offer (repeatable)")
    args = parser.parse_args(argv)
    if args.pool_id and not args.client_id:
        parser.error("--pool-id needs --client-id")
    app = QApplication.instance() or QApplication(sys.argv)
    with user_pool(args) as (pool, hint):
        cache = TokenCache(use_keyring=True) if args.keyring else None
        sign_up = args.sign_up if args.sign_up is not None else (None if args.pool_id else "name,email")
        attributes = tuple(a for a in sign_up.split(",") if a) if sign_up is not None else None
        browser, providers = browser_for(args, pool)
        if not args.pool_id:
            print(f"authflow desktop example: the local user pool listens at {pool.endpoint_url}", flush=True)
        window = MainWindow(pool, token_cache=cache, hint=hint, sign_up_attributes=attributes, browser=browser,
                            providers=providers,
                            messages=None if args.pool_id else local_messages(pool.endpoint_url or ""))
        if cache is not None and args.username:
            kept = cache.load(cache_key(pool, args.username))
            if kept is not None and not kept.expired():
                window.show_signed_in(args.username, kept)
        window.show()
        return app.exec()


if __name__ == "__main__":
    sys.exit(main())
