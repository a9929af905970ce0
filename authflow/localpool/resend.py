"""ResendConfirmationCode: a new sign-up confirmation code for a user who has not confirmed yet."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authflow.localpool.codes import check_secret_hash
from authflow.localpool.errors import invalid_parameter, username_not_found
from authflow.localpool.limits import count_code_request
from authflow.localpool.model import UNCONFIRMED
from authflow.localpool.params import optional_str, required_str
from authflow.localpool.users import CONFIRM_SIGN_UP, hides_users, send_user_code, simulated_delivery

if TYPE_CHECKING:
    from authflow.localpool.service import Service


def resend_confirmation_code(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
    """A new sign-up confirmation code (the previous one stops working)."""
    pool, client = svc.client(required_str(p, "ClientId"))
    username = required_str(p, "Username")
    check_secret_hash(client, username, optional_str(p, "SecretHash"))
    user = pool.find(username)
    if hides_users(client) and (user is None or not user.enabled):  # a disabled user too (ENABLED)
        return {"CodeDeliveryDetails": simulated_delivery(svc, pool, username)}
    if user is None:
        raise username_not_found()
    if user.status != UNCONFIRMED:
        raise invalid_parameter("User is already confirmed.")
    count_code_request(user, CONFIRM_SIGN_UP, svc.now())
    details = send_user_code(svc, pool, user, CONFIRM_SIGN_UP)
    if details is None:
        raise invalid_parameter("Cannot resend codes. Auto verification not turned on.")
    return {"CodeDeliveryDetails": details}
