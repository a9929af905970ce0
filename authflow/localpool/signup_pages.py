"""Managed login's "Forgot your password?" and "Sign up" pages, as Cognito's hosted pages offer them from the
sign-in page. Each page keeps the app's authorize request (client, redirect_uri, state, nonce, PKCE challenge)
in its sign-in record, so the last step signs the person in and sends the browser back to the app with a code.

    GET  /forgotPassword        the username to reset              POST: ForgotPassword, then the code page
    POST /confirmForgotPassword the code and the new password      ConfirmForgotPassword, then the sign-in
    GET  /signup                username, attributes, password     POST: SignUp, then the code page
    POST /confirmUser           the confirmation code              ConfirmSignUp, then the sign-in
    POST /resendCode            a new code for the step under way  ForgotPassword / ResendConfirmationCode

The rules are the API's: each step calls the pool's own operation (with the SECRET_HASH a client with a secret
needs), so the password policy, the required attributes, the codes put in the outbox, wrong and expired codes,
the limits, AllowAdminCreateUserOnly and PreventUserExistenceErrors are those of SignUp, ConfirmSignUp,
ForgotPassword, ConfirmForgotPassword and ResendConfirmationCode; the pages only show their answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authflow.localpool import auth, login_pages
from authflow.localpool.errors import PoolError
from authflow.localpool.login_pages import Form, FormField
from authflow.localpool.model import (
    CONFIRMATION_CODE_VALIDITY,
    RESET_CODE_VALIDITY,
    AppClient,
    PasswordPolicy,
    PoolRecord,
)
from authflow.localpool.oauth import (
    LOGIN_COOKIE,
    LOGIN_VALIDITY,
    PageError,
    WebRequest,
    WebResponse,
    cookie,
    html,
    login_post,
    new_transaction,
    next_step,
    page_transaction,
    parse_authorize,
    password_form,
    username_label,
)
from authflow.localpool.oauth_state import LoginTransaction
from authflow.localpool.signup import SIGN_UP_NOT_PERMITTED
from authflow.secret_hash import secret_hash

if TYPE_CHECKING:
    from authflow.localpool.service import Service

RESET, CONFIRM = "reset", "confirm"
_MEDIUM = {"EMAIL": "email", "SMS": "text message"}
_AUTOCOMPLETE = {"email": "email", "phone_number": "tel", "name": "name", "given_name": "given-name",
                 "family_name": "family-name", "middle_name": "additional-name", "nickname": "nickname",
                 "birthdate": "bday", "address": "street-address", "locale": "language", "zoneinfo": "off"}
_LABELS = {"phone_number": "Phone number", "given_name": "Given name", "family_name": "Family name",
           "middle_name": "Middle name", "preferred_username": "Preferred username", "zoneinfo": "Time zone",
           "birthdate": "Birth date (YYYY-MM-DD)", "picture": "Picture URL", "website": "Website",
           "profile": "Profile URL"}
_PHONE_HINT = "With the country code, e.g. +14155550100."


# --- the pool's operations, as an app client calls them ------------------------------------------------------


def _call(svc: Service, client: AppClient, operation: str, username: str, **members: Any) -> dict[str, Any]:
    """The pool's own operation (its request checks included) for ``client``, with the SECRET_HASH that a
    client with a secret sends (managed login knows the secret, as Cognito's hosted pages do)."""
    params: dict[str, Any] = {"ClientId": client.id, "Username": username, **members}
    if client.secret is not None:
        params["SecretHash"] = secret_hash(username, client.id, client.secret)
    return svc.operations[operation](svc, params)


def _delivery_notice(reply: dict[str, Any], purpose: str) -> str | None:
    details = reply.get("CodeDeliveryDetails")
    if not isinstance(details, dict):
        return None
    medium = _MEDIUM.get(str(details.get("DeliveryMedium")), "message")
    return f"We sent a code by {medium} to {details.get('Destination', '')}. Enter it below to {purpose}."


# --- shared page pieces ---------------------------------------------------------------------------------------


def _cognito_only(client: AppClient) -> None:
    if "COGNITO" not in client.supported_identity_providers:
        raise PageError(400, "Invalid request", "This app signs in with a federated provider only.")


def _back(txn: LoginTransaction) -> list[tuple[str, str]]:
    return [("Back to sign in", "/login?" + txn.request.query())]


def policy_hint(policy: PasswordPolicy) -> str:
    """The pool's password policy in one sentence, shown under a new password."""
    needs = [label for wanted, label in ((policy.require_lowercase, "a lowercase letter"),
                                         (policy.require_uppercase, "an uppercase letter"),
                                         (policy.require_numbers, "a number"),
                                         (policy.require_symbols, "a symbol")) if wanted]
    text = f"At least {policy.minimum_length} characters"
    if needs:
        text += ", with " + (", ".join(needs[:-1]) + " and " + needs[-1] if len(needs) > 1 else needs[0])
    return text + "."


def _password_fields(pool: PoolRecord, label: str = "Password") -> list[FormField]:
    return [FormField("password", label, type="password", autocomplete="new-password",
                  hint=policy_hint(pool.password_policy)),
            FormField("confirm_password", "Confirm the password", type="password", autocomplete="new-password")]


def _values(req: WebRequest) -> dict[str, str]:
    return {name: vals[-1] for name, vals in req.form.items() if vals}


def _new_page(svc: Service, req: WebRequest) -> tuple[PoolRecord, AppClient, LoginTransaction]:
    pool, client, request = parse_authorize(svc, req.query)
    _cognito_only(client)
    return pool, client, new_transaction(svc, pool, request)


def _posted(svc: Service, req: WebRequest) -> tuple[PoolRecord, AppClient, LoginTransaction, dict[str, str]]:
    txn = page_transaction(svc, req)
    pool, client = svc.client(txn.request.client_id)
    _cognito_only(client)
    return pool, client, txn, _values(req)


def _waiting_for(txn: LoginTransaction, step: str) -> None:
    if txn.account_step != step or not txn.username:
        raise PageError(400, "Start again", "This page is not the next step of this sign-in. Go back to the "
                        "sign-in page and start again.", _back(txn))


def _start_over(txn: LoginTransaction, step: str | None, username: str) -> None:
    """The sign-in record now follows ``step`` for ``username`` (a challenge under way is dropped)."""
    txn.account_step, txn.username, txn.delivery = step, username, None
    txn.session = txn.challenge = txn.setup_secret = None
    txn.parameters = {}


def _code_sent(svc: Service, txn: LoginTransaction, validity: int, text: str) -> WebResponse:
    """A page waiting for a code: it stays usable while the code does, and an hour past it (long enough to
    see that the code expired and to ask for a new one); the browser's cookie for it lives as long."""
    txn.expires_at = max(txn.expires_at, svc.now() + validity + LOGIN_VALIDITY)
    return html(200, text, [cookie(LOGIN_COOKIE, txn.id, int(txn.expires_at - svc.now()))])


# --- Forgot your password? -----------------------------------------------------------------------------------


def _forgot_form(pool: PoolRecord, client: AppClient, txn: LoginTransaction, error: str | None = None) -> str:
    label, kind = username_label(pool)
    return login_pages.form_page(Form(
        title="Forgot your password?", app_name=client.name, action="/forgotPassword?" + txn.request.query(),
        csrf=txn.csrf, button="Reset my password", error=error,
        notice=f"Enter your {label.lower()} and we will send you a code to reset your password.",
        fields=[FormField("username", label, type=kind, autocomplete="username", value=txn.username)],
        links=_back(txn)))


def _reset_form(pool: PoolRecord, client: AppClient, txn: LoginTransaction, error: str | None = None) -> str:
    return login_pages.form_page(Form(
        title="Reset your password", app_name=client.name, action="/confirmForgotPassword?" + txn.request.query(),
        csrf=txn.csrf, button="Change password", error=error, notice=txn.delivery,
        outbox_pool=txn.pool_id if txn.delivery else None,
        fields=[FormField("code", "Code", autocomplete="one-time-code", inputmode="numeric"),
                *_password_fields(pool, "New password")],
        secondary=[("Send a new code", "/resendCode?" + txn.request.query())], links=_back(txn)))


def forgot_password_page(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, txn = _new_page(svc, req)
    return html(200, _forgot_form(pool, client, txn), [cookie(LOGIN_COOKIE, txn.id, LOGIN_VALIDITY)])


def forgot_password_post(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, txn, values = _posted(svc, req)
    username = values.get("username", "").strip()
    _start_over(txn, None, username)
    if not username:
        return html(200, _forgot_form(pool, client, txn, f"Enter your {username_label(pool)[0].lower()}."))
    return _send_reset_code(svc, pool, client, txn)


def _send_reset_code(svc: Service, pool: PoolRecord, client: AppClient, txn: LoginTransaction) -> WebResponse:
    try:
        reply = _call(svc, client, "ForgotPassword", txn.username)
    except PoolError as error:
        if txn.account_step == RESET:  # "Send a new code" refused (too many): the code page stays
            return html(200, _reset_form(pool, client, txn, error.message))
        return html(200, _forgot_form(pool, client, txn, error.message))
    txn.account_step = RESET
    txn.delivery = _delivery_notice(reply, "reset your password")
    return _code_sent(svc, txn, RESET_CODE_VALIDITY, _reset_form(pool, client, txn))


def confirm_forgot_password_post(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, txn, values = _posted(svc, req)
    _waiting_for(txn, RESET)
    code, password = values.get("code", "").strip(), values.get("password", "")
    if not code or not password:
        return html(200, _reset_form(pool, client, txn, "Enter the code and a new password."))
    if password != values.get("confirm_password", ""):
        return html(200, _reset_form(pool, client, txn, "The two passwords are not the same."))
    try:
        _call(svc, client, "ConfirmForgotPassword", txn.username, ConfirmationCode=code, Password=password)
    except PoolError as error:
        return html(200, _reset_form(pool, client, txn, login_pages.refusal(error)))
    username = txn.username
    _start_over(txn, None, username)
    try:  # the new password signs in at once, through the pool's sign-in (its MFA included)
        reply = auth.managed_sign_in(svc, pool, client, username, password)
    except PoolError as error:
        return html(200, password_form(pool, client, txn, error.message, "Your password has been changed."))
    return next_step(svc, pool, client, txn, reply)


# --- Sign up ---------------------------------------------------------------------------------------------------


def _sign_up_attributes(pool: PoolRecord) -> list[str]:
    """The attributes the sign-up page asks for: the schema's required ones, those the pool verifies (where
    the confirmation code goes) and its aliases (what people may sign in with); not the one that is the
    username itself. Only the required ones must be filled in."""
    names = [*pool.required_attributes, *pool.auto_verified_attributes, *pool.alias_attributes]
    return [n for i, n in enumerate(names) if n not in names[:i] and n not in pool.username_attributes[:1]]


def _attribute_field(pool: PoolRecord, name: str, value: str) -> FormField:
    label = _LABELS.get(name, name.removeprefix("custom:").replace("_", " ").capitalize())
    kind = {"email": "email", "phone_number": "tel"}.get(name, "text")
    return FormField(f"attribute_{name}", label, type=kind, autocomplete=_AUTOCOMPLETE.get(name, "off"), value=value,
                 required=name in pool.required_attributes,
                 hint=_PHONE_HINT if name == "phone_number" else None)


def _sign_up_form(pool: PoolRecord, client: AppClient, txn: LoginTransaction, typed: dict[str, str],
                  error: str | None = None) -> str:
    label, kind = username_label(pool)
    fields = [FormField("username", label, type=kind, autocomplete="username", value=typed.get("username", ""),
                    hint=_PHONE_HINT if kind == "tel" else None)]
    fields += [_attribute_field(pool, name, typed.get(f"attribute_{name}", "")) for name in _sign_up_attributes(pool)]
    fields += _password_fields(pool)
    return login_pages.form_page(Form(
        title="Sign up", app_name=client.name, action="/signup?" + txn.request.query(), csrf=txn.csrf,
        button="Sign up", error=error, fields=fields,
        links=[("Already have an account? Sign in", "/login?" + txn.request.query())]))


def _confirm_form(client: AppClient, txn: LoginTransaction, error: str | None = None) -> str:
    return login_pages.form_page(Form(
        title="Confirm your account", app_name=client.name, action="/confirmUser?" + txn.request.query(),
        csrf=txn.csrf, button="Confirm account", error=error, notice=txn.delivery,
        outbox_pool=txn.pool_id if txn.delivery else None,
        fields=[FormField("code", "Code", autocomplete="one-time-code", inputmode="numeric")],
        secondary=[("Send a new code", "/resendCode?" + txn.request.query())], links=_back(txn)))


def _self_sign_up(pool: PoolRecord, back: list[tuple[str, str]]) -> None:
    """AllowAdminCreateUserOnly: no sign-up page (the sign-in page has no link to it either)."""
    if pool.allow_admin_create_user_only:
        raise PageError(403, "Sign-up is not available",
                        f"{SIGN_UP_NOT_PERMITTED}: ask an administrator for an account.", back)


def sign_up_page(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, request = parse_authorize(svc, req.query)
    _cognito_only(client)
    _self_sign_up(pool, [("Back to sign in", "/login?" + request.query())])
    txn = new_transaction(svc, pool, request)
    return html(200, _sign_up_form(pool, client, txn, {}), [cookie(LOGIN_COOKIE, txn.id, LOGIN_VALIDITY)])


def sign_up_post(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, txn, values = _posted(svc, req)
    _self_sign_up(pool, _back(txn))
    username = values.get("username", "").strip()
    typed = {k: v.strip() for k, v in values.items() if k == "username" or k.startswith("attribute_")}
    password = values.get("password", "")
    if not username or not password:
        return html(200, _sign_up_form(pool, client, txn, typed, "Enter a username and a password."))
    if password != values.get("confirm_password", ""):
        return html(200, _sign_up_form(pool, client, txn, typed, "The two passwords are not the same."))
    asked = _sign_up_attributes(pool)
    attributes = [{"Name": name, "Value": typed[f"attribute_{name}"]} for name in asked
                  if typed.get(f"attribute_{name}")]
    try:
        reply = _call(svc, client, "SignUp", username, Password=password, UserAttributes=attributes)
    except PoolError as error:
        return html(200, _sign_up_form(pool, client, txn, typed, error.message))
    _start_over(txn, CONFIRM, username)
    txn.delivery = _delivery_notice(reply, "confirm your account")
    if txn.delivery is None:  # nowhere to send a code: an administrator confirms the account
        txn.account_step = None
        return html(200, password_form(pool, client, txn, notice="Your account was created. An administrator "
                                       "must confirm it before you can sign in."))
    return _code_sent(svc, txn, CONFIRMATION_CODE_VALIDITY, _confirm_form(client, txn))


def confirm_sign_up_post(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, txn, values = _posted(svc, req)
    _waiting_for(txn, CONFIRM)
    code = values.get("code", "").strip()
    if not code:
        return html(200, _confirm_form(client, txn, "Enter the code."))
    try:
        reply = _call(svc, client, "ConfirmSignUp", txn.username, ConfirmationCode=code)
    except PoolError as error:
        return html(200, _confirm_form(client, txn, login_pages.refusal(error)))
    username = txn.username
    _start_over(txn, None, username)
    try:  # signed in at once with the Session ConfirmSignUp gave (its MFA included), as Amplify's autoSignIn
        step = auth.managed_after_sign_up(svc, pool, client, username, str(reply.get("Session", "")))
    except PoolError as error:
        return html(200, password_form(pool, client, txn, error.message, "Your account is confirmed."))
    return next_step(svc, pool, client, txn, step)


# --- from the sign-in page -----------------------------------------------------------------------------------


def after_refused_sign_in(
    svc: Service, pool: PoolRecord, client: AppClient, txn: LoginTransaction, error: PoolError
) -> WebResponse | None:
    """The sign-in page's answer when the pool refused the password because the account needs a step of its
    own, as Cognito's hosted pages do: a user who signed up but never confirmed (the right password) gets a
    new code and the confirmation page; a user whose password an administrator reset gets a reset code and
    the new-password page. None: no such step (the page shows the error)."""
    if error.code == "PasswordResetRequiredException":
        _start_over(txn, None, txn.username)
        _send_reset_code(svc, pool, client, txn)
        if txn.account_step != RESET:  # no code could be sent: the sign-in page says why it refused
            return None
        txn.delivery = f"{error.message}. {txn.delivery or ''}".strip()
        return _code_sent(svc, txn, RESET_CODE_VALIDITY, _reset_form(pool, client, txn))
    if error.code == "UserNotConfirmedException":
        try:
            reply = _call(svc, client, "ResendConfirmationCode", txn.username)
        except PoolError:
            return None
        _start_over(txn, CONFIRM, txn.username)
        txn.delivery = _delivery_notice(reply, "confirm your account")
        if txn.delivery is None:
            return None
        return _code_sent(svc, txn, CONFIRMATION_CODE_VALIDITY, _confirm_form(client, txn))
    return None


def sign_in_post(svc: Service, req: WebRequest) -> WebResponse:
    """POST /login: the sign-in page's form, with the steps above for the accounts that need them."""
    return login_post(svc, req, after_refused_sign_in)


# --- Send a new code -----------------------------------------------------------------------------------------


def resend_code_post(svc: Service, req: WebRequest) -> WebResponse:
    pool, client, txn, _ = _posted(svc, req)
    if txn.account_step == RESET:
        return _send_reset_code(svc, pool, client, txn)
    _waiting_for(txn, CONFIRM)
    try:
        reply = _call(svc, client, "ResendConfirmationCode", txn.username)
    except PoolError as error:
        return html(200, _confirm_form(client, txn, error.message))
    txn.delivery = _delivery_notice(reply, "confirm your account") or txn.delivery
    return _code_sent(svc, txn, CONFIRMATION_CODE_VALIDITY, _confirm_form(client, txn))
