"""The Qt sign-in dialog's browser paths: "Sign in with the browser" and "Continue with <provider>".

``SignInWidget(pool, browser=BrowserSignIn(...), providers=("Google",))`` shows these buttons on its first
screen. Each opens the system browser at the pool's managed login (for a provider, straight to it) and shows
a waiting screen; the loopback redirect ends the sign-in with the same :class:`~authflow.qt.DialogResult` and
the same token cache as a password sign-in. Cancel (or "Back") stops the wait and closes the listener.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QPushButton

from authflow.errors import AuthflowError, SignInCancelled
from authflow.qt import DialogResult, Screen, UsernameScreen, _Call, _link, _Outcomes, describe_error
from authflow.tokencache import CacheFileError, CacheKey, failure_reason, internal_username

if TYPE_CHECKING:
    from authflow.qt import SignInWidget
    from authflow.tokencache import TokenCache
    from authflow.tokens import Tokens


def add_browser_buttons(screen: UsernameScreen) -> None:
    """The first screen's browser buttons: one for managed login, one per provider the app names."""
    widget = screen.sign_in
    for provider in widget.providers:
        button = QPushButton(f"Continue with {provider}")
        button.setObjectName(f"provider_{provider}")
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False, name=provider: begin(widget, name))
        screen.form.addRow(button)
    button = QPushButton("Sign in with the browser")
    button.setObjectName("browser_sign_in")
    button.setAutoDefault(False)
    button.clicked.connect(lambda _checked=False: begin(widget, None))
    screen.form.addRow(button)


class BrowserWaitScreen(Screen):
    """While the browser signs in: what to do there, and a way back."""

    title = "Continue in your browser"

    def __init__(self, sign_in: SignInWidget, provider: str | None) -> None:
        self.provider = provider
        super().__init__(sign_in)

    def intro(self) -> str:
        where = f"with {self.provider}" if self.provider else "on the sign-in page"
        return (f"Your browser has opened: sign in {where} there. This window continues by itself "
                "once you are signed in. Cancel stops waiting.")

    def build(self) -> None:
        self.form.addRow(_link("Back to the sign-in", "browser_back", lambda: back(self.sign_in)))


def back(widget: SignInWidget) -> None:
    widget._abandon()
    widget._show(UsernameScreen(widget))


def begin(widget: SignInWidget, provider: str | None) -> None:
    """Open the browser (on a worker: the listener and the exchange block) and wait on a screen of its own."""
    signer = widget.browser
    if signer is None or widget.busy or widget._finished:
        return
    if provider is not None:
        signer = replace(signer, identity_provider=provider)
    widget._abandon()
    cancel = widget._cancelled  # set by Cancel, Back, Start over or closing the window
    screen = BrowserWaitScreen(widget, provider)
    widget._show(screen)
    widget.submit_button.setEnabled(False)
    outcomes = _Outcomes(widget)

    def finished(call: _Call, tokens: Tokens | None, error: BaseException | None) -> None:
        outcomes.deleteLater()
        if cancel.is_set() or widget._finished:
            return
        if error is not None:
            if isinstance(error, SignInCancelled):
                return
            if not isinstance(error, AuthflowError):
                widget._stop_with(f"Something went wrong: {type(error).__name__}")
                raise error
            widget._stop_with(describe_error(error))
            return
        assert tokens is not None
        username = internal_username(tokens) or ""
        widget.username = username
        widget._finished = True
        widget.result = DialogResult(username, tokens)
        widget.signed_in.emit(widget.result)

    outcomes.finished.connect(finished)
    cache = widget.token_cache
    pool = widget.pool

    def sign_in() -> Tokens:  # on the worker: the browser's wait, the exchange, the cache (keyring, disk)
        tokens: Tokens = signer.sign_in(cancel=cancel)
        if cache is not None and not cancel.is_set():
            username = internal_username(tokens)
            if username:
                _keep(cache, CacheKey(pool.pool_id, pool.client_id, username, pool.endpoint_url), tokens)
        return tokens

    QThreadPool.globalInstance().start(_Call(sign_in, outcomes, cancel))


def _keep(cache: TokenCache, key: CacheKey, tokens: Tokens) -> None:
    try:
        cache.store(key, tokens)
    except (OSError, CacheFileError) as exc:  # the cache may be lost, never the sign-in
        cache.warn(f"the tokens could not be kept ({failure_reason(exc)})")
