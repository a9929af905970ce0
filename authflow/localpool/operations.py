"""Every operation the local user pool answers, by its X-Amz-Target name: one row per operation.

Adding an operation: write ``def operation(svc: Service, p: dict[str, Any]) -> dict[str, Any]`` in the
module it belongs to (or a new one), and add its row here. Handlers raise ``PoolError`` for Cognito's
errors; shared helpers live in ``params``, ``codes``, ``users`` and ``builders``, never in another
handlers' module."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from authflow.localpool import account, admin, attributes, auth, oauth, passkeys, resend, signup
from authflow.localpool.errors import PoolError
from authflow.localpool.shapes import check_request

if TYPE_CHECKING:
    from authflow.localpool.service import Handler, Prepare, Service

OPERATIONS: dict[str, Handler] = {
    # sign-in
    "InitiateAuth": auth.initiate_auth,
    "RespondToAuthChallenge": auth.respond_to_auth_challenge,
    "AdminInitiateAuth": auth.admin_initiate_auth,
    "AdminRespondToAuthChallenge": auth.admin_respond_to_auth_challenge,
    "AssociateSoftwareToken": auth.associate_software_token,
    "VerifySoftwareToken": auth.verify_software_token,
    "GetTokensFromRefreshToken": auth.get_tokens_from_refresh_token,
    # machine-to-machine tokens (the client_credentials grant as an API call)
    "GetClientToken": oauth.get_client_token,
    # a signed-in user's own operations (access token), RevokeToken
    "GetUser": account.get_user,
    "GlobalSignOut": account.global_sign_out,
    "ListUserSessions": account.list_user_sessions,
    "RevokeUserSession": account.revoke_user_session,
    "RevokeToken": account.revoke_token,
    "SetUserMFAPreference": account.set_user_mfa_preference,
    "SetUserSettings": account.set_user_settings,
    "GetUserAuthFactors": account.get_user_auth_factors,
    "ChangePassword": account.change_password,
    "DeleteUser": account.delete_user,
    "ConfirmDevice": account.confirm_device,
    "UpdateDeviceStatus": account.update_device_status,
    "GetDevice": account.get_device,
    "ListDevices": account.list_devices,
    "ForgetDevice": account.forget_device,
    # a signed-in user's attributes and their verification
    "UpdateUserAttributes": attributes.update_user_attributes,
    "DeleteUserAttributes": attributes.delete_user_attributes,
    "GetUserAttributeVerificationCode": attributes.get_user_attribute_verification_code,
    "VerifyUserAttribute": attributes.verify_user_attribute,
    # a signed-in user's passkeys
    "StartWebAuthnRegistration": passkeys.start_web_authn_registration,
    "CompleteWebAuthnRegistration": passkeys.complete_web_authn_registration,
    "ListWebAuthnCredentials": passkeys.list_web_authn_credentials,
    "DeleteWebAuthnCredential": passkeys.delete_web_authn_credential,
    # pools, clients and users set up over HTTP
    "CreateUserPool": admin.create_user_pool,
    "DescribeUserPool": admin.describe_user_pool,
    "DeleteUserPool": admin.delete_user_pool,
    "ListUserPools": admin.list_user_pools,
    "CreateUserPoolClient": admin.create_user_pool_client,
    "DescribeUserPoolClient": admin.describe_user_pool_client,
    "SetUserPoolMfaConfig": admin.set_user_pool_mfa_config,
    "GetUserPoolMfaConfig": admin.get_user_pool_mfa_config,
    "AdminCreateUser": admin.admin_create_user,
    "AdminSetUserPassword": admin.admin_set_user_password,
    "AdminGetUser": admin.admin_get_user,
    "AdminUpdateUserAttributes": admin.admin_update_user_attributes,
    "AdminSetUserMFAPreference": admin.admin_set_user_mfa_preference,
    "AdminDeleteSoftwareToken": admin.admin_delete_software_token,
    "AdminDisableUser": admin.admin_disable_user,
    "AdminEnableUser": admin.admin_enable_user,
    "AdminDeleteUser": admin.admin_delete_user,
    "AdminResetUserPassword": admin.admin_reset_user_password,
    "AdminConfirmSignUp": admin.admin_confirm_sign_up,
    "AdminUserGlobalSignOut": admin.admin_user_global_sign_out,
    "AdminListGroupsForUser": admin.admin_list_groups_for_user,
    "ListUsers": admin.list_users,
    # sign-up and forgotten passwords
    "SignUp": signup.sign_up,
    "ConfirmSignUp": signup.confirm_sign_up,
    "ResendConfirmationCode": resend.resend_confirmation_code,
    "ForgotPassword": signup.forgot_password,
    "ConfirmForgotPassword": signup.confirm_forgot_password,
}



def _checked(operation: str, handler: Handler) -> Handler:
    """``handler`` behind Cognito's front end: members of the wrong type or too long never reach it."""

    def handle(svc: Service, p: dict[str, Any]) -> dict[str, Any]:
        check_request(operation, p)
        return handler(svc, p)

    handle.__wrapped__ = handler  # type: ignore[attr-defined]
    handle.__name__ = getattr(handler, "__name__", operation)
    return handle


OPERATIONS = {operation: _checked(operation, handler) for operation, handler in OPERATIONS.items()}

#: Work an operation does before the service's lock: pure math on what a Session holds, whose result the
#: handler finds ready (it still checks everything under the lock). Concurrent sign-ins then use several
#: cores for the SRP proof instead of queueing behind one lock.
BEFORE_LOCK: dict[str, Prepare] = {
    "RespondToAuthChallenge": auth.prove_before_lock,
    "AdminRespondToAuthChallenge": auth.prove_before_lock,
}


def _prepare_checked(operation: str, prepare: Prepare) -> Prepare:
    """``prepare`` only for a request that fits the operation's shape (the handler refuses the others)."""

    def run(svc: Service, p: dict[str, Any]) -> None:
        try:
            check_request(operation, p)
        except PoolError:
            return
        prepare(svc, p)

    return run


BEFORE_LOCK = {operation: _prepare_checked(operation, prepare) for operation, prepare in BEFORE_LOCK.items()}
