"""Signing up and resetting a forgotten password: SignUp, ConfirmSignUp, ForgotPassword,
ConfirmForgotPassword (app-client operations: SECRET_HASH when the client has a secret).

ConfirmSignUp returns a Session that signs the new user in once, through InitiateAuth USER_AUTH with that
Session and the user's name (Amplify's autoSignIn), within the app client's AuthSessionValidity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authflow.localpool.builders import build_user
from authflow.localpool.codes import check_secret_hash
from authflow.localpool.errors import PoolError, invalid_parameter, username_not_found
from authflow.localpool.limits import (
    STANDARD_ATTRIBUTES,
    check_formats,
    check_password,
    check_username,
    count_code_request,
    is_email,
    is_phone_number,
)
from authflow.localpool.model import (
    CONFIRMED,
    FORCE_CHANGE_PASSWORD,
    NEW_PASSWORD_WORDING,
    UNCONFIRMED,
    AppClient,
    PasswordRecord,
    PoolRecord,
    User,
)
from authflow.localpool.params import attribute_map, optional_str, required_str
from authflow.localpool.sessions import SIGN_UP_CONFIRMED, SignIn
from authflow.localpool.users import (
    CONFIRM_SIGN_UP,
    FORGOT_PASSWORD,
    check_password_policy,
    hides_users,
    recovery_mediums,
    send_user_code,
    simulated_delivery,
    use_user_code,
)

if TYPE_CHECKING:
    from authflow.localpool.service import Service


def check_sign_up(pool: PoolRecord, username: str, password: str, attributes: dict[str, str]) -> None:
    """What Cognito refuses in a SignUp before it looks for the user: the API's field constraints, the
    pool's attribute schema (unknown attributes, ``sub`` and the ``*_verified`` flags are not the client's
    to write), email and phone formats, and usernames that would shadow an alias."""
    check_username(username)
    check_password(password)
    if "sub" in attributes:
        raise invalid_parameter("Attributes did not conform to the schema: sub: Attribute cannot be updated.")
    unknown = [name for name in attributes
               if name not in STANDARD_ATTRIBUTES and name not in pool.custom_attributes]
    if unknown:
        raise invalid_parameter("Attributes did not conform to the schema: " + "".join(
            f"{name}: Attribute does not exist in the schema.\n" for name in unknown))
    if any(name.endswith("_verified") for name in attributes):
        raise PoolError("NotAuthorizedException", "A client attempted to write unauthorized attribute")
    check_formats(attributes)
    if "email" in pool.alias_attributes and is_email(username):
        raise invalid_parameter("Username cannot be of email format, since user pool is configured for email alias.")
    if "phone_number" in pool.alias_attributes and is_phone_number(username):
        raise invalid_parameter(
            "Username cannot be of phone number format, since user pool is configured for phone number alias.")


#: Cognito's answer to SignUp when only administrators may create users (AllowAdminCreateUserOnly).
SIGN_UP_NOT_PERMITTED = "SignUp is not permitted for this user pool"


def sign_up(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    if pool.allow_admin_create_user_only:
        raise PoolError("NotAuthorizedException", SIGN_UP_NOT_PERMITTED)
    username = required_str(p, "Username")
    password = required_str(p, "Password")
    attributes = attribute_map(p)
    check_sign_up(pool, username, password, attributes)
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    if pool.find(username) is not None:
        # In a pool where people sign up with their email address as the username, Cognito names the address
        taken = ("An account with the given email already exists." if "email" in pool.username_attributes
                 and is_email(username) else "User already exists")
        raise PoolError("UsernameExistsException", taken)
    check_password_policy(pool, password)
    missing = [name for name in pool.required_attributes if not attributes.get(name)]
    if missing:  # every missing one, a line each (as Cognito lists them)
        raise invalid_parameter("Attributes did not conform to the schema: " + "".join(
            f"{name}: The attribute is required\n" for name in missing))
    try:
        user = build_user(svc, pool, username, password, attributes=attributes, status=UNCONFIRMED)
    except ValueError as exc:
        raise invalid_parameter(str(exc)) from None
    count_code_request(user, CONFIRM_SIGN_UP, svc.now())
    details = send_user_code(svc, pool, user, CONFIRM_SIGN_UP)
    out: dict[str, Any] = {"UserConfirmed": False, "UserSub": user.sub}
    if details:
        out["CodeDeliveryDetails"] = details
    return out


def confirm_sign_up(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    code = required_str(p, "ConfirmationCode")
    if not hides_users(client):
        _code_user(pool, username)
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    user = _user_or_wrong_code(pool, client, username)
    if user.status != UNCONFIRMED:
        raise PoolError("NotAuthorizedException", f"User cannot be confirmed. Current status is {user.status}")
    use_user_code(user, CONFIRM_SIGN_UP, code, svc.now())
    user.status = CONFIRMED
    for name in ("email", "phone_number"):
        if name in pool.auto_verified_attributes and user.attributes.get(name):
            user.attributes[f"{name}_verified"] = "true"
    sign_in = SignIn(pool_id=pool.id, client_id=client.id, username=user.username, typed_username=username,
                     auth_flow="USER_AUTH")
    session = svc.sessions.issue(SIGN_UP_CONFIRMED, sign_in, svc.now(), client.auth_session_validity)
    return {"Session": session.id}


#: ForgotPassword for a user whose password an administrator set as temporary (FORCE_CHANGE_PASSWORD).
CANNOT_RESET = "User password cannot be reset in the current state."
NO_RECOVERY = "Cannot reset password for the user as there is no registered/verified email or phone_number"


def forgot_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """A reset code, sent only to a verified phone number or email address (:func:`recovery_mediums`).
    A user who has none, a user with a temporary password (FORCE_CHANGE_PASSWORD) and, with
    PreventUserExistenceErrors ENABLED, a disabled user or a name nobody has: with ENABLED all of them get
    a simulated CodeDeliveryDetails and nothing is sent; with LEGACY, InvalidParameterException,
    NotAuthorizedException and UserNotFoundException."""
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    user = pool.find(username)
    hidden = hides_users(client)
    if hidden and (user is None or not user.enabled or user.status == FORCE_CHANGE_PASSWORD
                   or not recovery_mediums(user)):
        return {"CodeDeliveryDetails": simulated_delivery(svc, pool, username)}
    user = _code_user(pool, username)
    if user.status == FORCE_CHANGE_PASSWORD:
        raise PoolError("NotAuthorizedException", CANNOT_RESET)
    mediums = recovery_mediums(user)
    if not mediums:
        raise invalid_parameter(NO_RECOVERY)
    count_code_request(user, FORGOT_PASSWORD, svc.now())
    details = send_user_code(svc, pool, user, FORGOT_PASSWORD, mediums)
    if details is None:  # cannot happen: a verified attribute has a value
        raise invalid_parameter(NO_RECOVERY)
    return {"CodeDeliveryDetails": details}


def confirm_forgot_password(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    code = required_str(p, "ConfirmationCode")
    password = required_str(p, "Password")
    check_password(password)
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    if not hides_users(client):
        _code_user(pool, username)
    check_password_policy(pool, password, NEW_PASSWORD_WORDING)
    user = _user_or_wrong_code(pool, client, username)
    if hides_users(client) and not user.enabled:  # with ENABLED a disabled user is answered as nobody is
        raise PoolError("CodeMismatchException", "Invalid verification code provided, please try again.")
    if hides_users(client) and user.reset_code is None:
        # No code was asked for (or the one sent is used up): ExpiredCodeException, with ENABLED.
        raise PoolError("ExpiredCodeException", "Invalid code provided, please request a code again.")
    use_user_code(user, FORGOT_PASSWORD, code, svc.now())
    user.password = PasswordRecord(pool.id, user.username, password)
    user.status = CONFIRMED
    user.failed_password_attempts = 0
    user.modified = svc.now()
    return {}


def _user_or_wrong_code(pool: PoolRecord, client: AppClient, username: str) -> User:
    """The user a code is for; for a name nobody has, UserNotFoundException, or (PreventUserExistenceErrors
    ENABLED) the answer a wrong code gets, so the reply does not tell that the user does not exist."""
    user = pool.find(username)
    if user is None and hides_users(client):
        raise PoolError("CodeMismatchException", "Invalid verification code provided, please try again.")
    return _code_user(pool, username)


def _code_user(pool: PoolRecord, username: str) -> User:
    """The user a code operation names; UserNotFoundException with the code operations' own message
    ("Username/client id combination not found.", as Amplify UI's end-to-end tests see ForgotPassword say)."""
    user = pool.find(username)
    if user is None:
        raise username_not_found()
    return user
