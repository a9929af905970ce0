"""The only module that talks to Cognito (and the only one that imports boto3).

:class:`UserPool` is a user pool plus an app client. It owns one boto3 ``cognito-idp`` client, built once
and shared by every flow (boto3 clients are thread-safe). Sign-in calls are unsigned, so no AWS
credentials are needed anywhere. Cognito's error answers become typed errors from
:mod:`authflow.errors`; throttling is retried by botocore's standard retry mode before it surfaces.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from typing import Any

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    ParamValidationError,
)

from authflow.errors import (
    AuthflowError,
    EndpointError,
    InvalidParameterError,
    MalformedResponseError,
    cognito_error,
)
from authflow.secret_hash import secret_hash
from authflow.srp import pool_name_of
from authflow.tokens import Tokens

_CLIENT_LOCK = threading.Lock()


class UserPool:
    """A Cognito user pool and one of its app clients.

    ``client_secret`` is set for app clients that have one: SECRET_HASH is then sent with every call that
    carries a username. ``endpoint_url`` points at a Cognito-compatible server (the local user pool).
    Pass ``client`` to use your own boto3 ``cognito-idp`` client instead.
    """

    def __init__(
        self,
        pool_id: str,
        client_id: str,
        client_secret: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        client: Any = None,
        *,
        max_attempts: int = 3,
    ) -> None:
        self.pool_id = pool_id
        self.pool_name = pool_name_of(pool_id)
        self.client_id = client_id
        self._client_secret = client_secret or None
        self.region = region or pool_id.partition("_")[0]
        self.endpoint_url = endpoint_url
        self._client = client if client is not None else self._build_client(max_attempts)

    def _build_client(self, max_attempts: int) -> Any:
        config = Config(
            signature_version=UNSIGNED,
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            connect_timeout=10,
            read_timeout=30,
        )
        # A private boto3 session: the default session is not safe to create clients from concurrently.
        with _CLIENT_LOCK:
            session = boto3.session.Session(region_name=self.region)
            return session.client(
                "cognito-idp", region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )

    @property
    def client(self) -> Any:
        """The boto3 ``cognito-idp`` client in use."""
        return self._client

    @property
    def has_secret(self) -> bool:
        return self._client_secret is not None

    def secret_hash(self, username: str) -> str | None:
        """SECRET_HASH over ``username``, or None when the app client has no secret."""
        if self._client_secret is None:
            return None
        return secret_hash(username, self.client_id, self._client_secret)

    def with_secret_hash(self, parameters: dict[str, str], username: str) -> dict[str, str]:
        digest = self.secret_hash(username)
        if digest is not None:
            parameters["SECRET_HASH"] = digest
        return parameters

    def __repr__(self) -> str:
        secret = ", client_secret=<hidden>" if self.has_secret else ""
        endpoint = f", endpoint_url={self.endpoint_url!r}" if self.endpoint_url else ""
        return f"UserPool({self.pool_id!r}, {self.client_id!r}{secret}{endpoint})"

    # --- calls ----------------------------------------------------------------------------------

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """Call a Cognito operation by its boto3 name; Cognito's errors come back typed."""
        method = getattr(self._client, operation)
        api_name = "".join(part.capitalize() for part in operation.split("_"))
        try:
            response = method(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise cognito_error(
                str(error.get("Code") or "CognitoError"), str(error.get("Message") or ""), api_name
            ) from None
        except ParamValidationError as exc:
            raise InvalidParameterError(
                _first_line(str(exc)), code="ParamValidationError", operation=api_name
            ) from None
        except EndpointConnectionError as exc:
            raise EndpointError(f"cannot reach {exc.kwargs.get('endpoint_url', 'Cognito')}") from None
        except BotoCoreError as exc:
            raise AuthflowError(_first_line(str(exc)), code=type(exc).__name__) from None
        if not isinstance(response, dict):
            raise MalformedResponseError(f"{api_name} answered with something other than an object")
        response.pop("ResponseMetadata", None)
        return response

    def initiate_auth(
        self,
        auth_flow: str,
        parameters: Mapping[str, str],
        *,
        client_metadata: Mapping[str, str] | None = None,
        session: str | None = None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "AuthFlow": auth_flow,
            "ClientId": self.client_id,
            "AuthParameters": dict(parameters),
        }
        if client_metadata:
            kwargs["ClientMetadata"] = dict(client_metadata)
        if session:
            kwargs["Session"] = session
        return self.call("initiate_auth", **kwargs)

    def respond_to_auth_challenge(
        self,
        challenge_name: str,
        responses: Mapping[str, str],
        session: str | None,
        *,
        client_metadata: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "ClientId": self.client_id,
            "ChallengeName": challenge_name,
            "ChallengeResponses": dict(responses),
        }
        if session:
            kwargs["Session"] = session
        if client_metadata:
            kwargs["ClientMetadata"] = dict(client_metadata)
        return self.call("respond_to_auth_challenge", **kwargs)

    def associate_software_token(
        self, *, session: str | None = None, access_token: str | None = None
    ) -> dict[str, Any]:
        """A new TOTP secret (``SecretCode``), by the sign-in Session or for a signed-in user."""
        kwargs = _one_of(session=session, access_token=access_token)
        response = self.call("associate_software_token", **kwargs)
        if not isinstance(response.get("SecretCode"), str) or not response["SecretCode"]:
            raise MalformedResponseError("AssociateSoftwareToken answered without SecretCode")
        return response

    def verify_software_token(
        self,
        code: str,
        *,
        session: str | None = None,
        access_token: str | None = None,
        friendly_device_name: str | None = None,
    ) -> dict[str, Any]:
        kwargs = _one_of(session=session, access_token=access_token)
        kwargs["UserCode"] = code
        if friendly_device_name:
            kwargs["FriendlyDeviceName"] = friendly_device_name
        return self.call("verify_software_token", **kwargs)

    def refresh(
        self, refresh_token: str, *, username: str | None = None, device_key: str | None = None
    ) -> Tokens:
        """New access and id tokens from a refresh token (REFRESH_TOKEN_AUTH).

        ``username`` is the internal username (the ``username`` claim of the access token): SECRET_HASH is
        computed over it when the app client has a secret. ``device_key`` is needed with device tracking.
        """
        parameters = {"REFRESH_TOKEN": refresh_token}
        if self.has_secret:
            if not username:
                raise ValueError("this app client has a secret: refresh needs the internal username")
            self.with_secret_hash(parameters, username)
        if device_key:
            parameters["DEVICE_KEY"] = device_key
        response = self.initiate_auth("REFRESH_TOKEN_AUTH", parameters)
        result = response.get("AuthenticationResult")
        if not isinstance(result, Mapping):
            raise MalformedResponseError("REFRESH_TOKEN_AUTH answered without AuthenticationResult")
        return Tokens.from_authentication_result(result, previous_refresh_token=refresh_token)

    def revoke_token(self, refresh_token: str) -> None:
        """Revoke a refresh token (and the access tokens issued from it)."""
        kwargs: dict[str, Any] = {"Token": refresh_token, "ClientId": self.client_id}
        if self._client_secret is not None:
            kwargs["ClientSecret"] = self._client_secret
        self.call("revoke_token", **kwargs)

    def global_sign_out(self, access_token: str) -> None:
        """Sign the user out everywhere: every refresh token of the user stops working."""
        self.call("global_sign_out", AccessToken=access_token)

    def get_user(self, access_token: str) -> dict[str, Any]:
        return self.call("get_user", AccessToken=access_token)

    def confirm_device(
        self, access_token: str, device_key: str, password_verifier: str, salt: str, device_name: str | None
    ) -> bool:
        """ConfirmDevice; returns UserConfirmationNecessary (the device must then be marked remembered)."""
        kwargs: dict[str, Any] = {
            "AccessToken": access_token,
            "DeviceKey": device_key,
            "DeviceSecretVerifierConfig": {"PasswordVerifier": password_verifier, "Salt": salt},
        }
        if device_name:
            kwargs["DeviceName"] = device_name
        return bool(self.call("confirm_device", **kwargs).get("UserConfirmationNecessary", False))

    def update_device_status(self, access_token: str, device_key: str, *, remembered: bool) -> None:
        self.call(
            "update_device_status",
            AccessToken=access_token,
            DeviceKey=device_key,
            DeviceRememberedStatus="remembered" if remembered else "not_remembered",
        )

    def forget_device(self, access_token: str, device_key: str) -> None:
        self.call("forget_device", AccessToken=access_token, DeviceKey=device_key)


def _one_of(*, session: str | None, access_token: str | None) -> dict[str, Any]:
    if (session is None) == (access_token is None):
        raise ValueError("give exactly one of session or access_token")
    return {"Session": session} if session is not None else {"AccessToken": access_token}


def _first_line(text: str) -> str:
    """The first line of a botocore message, with any echoed parameter value hidden."""
    line = text.strip().splitlines()[0] if text.strip() else text
    return re.sub(r"value: .*?(, (type|valid)|$)", r"value: <hidden>\1", line)
