"""The only module that talks to Cognito (and the only one that imports botocore).

:class:`UserPool` is a user pool plus an app client. It owns one botocore ``cognito-idp`` client, built once
and shared by every flow (botocore clients are thread-safe). Sign-in calls are unsigned, so no AWS
credentials are needed anywhere. Cognito's error answers become typed errors from
:mod:`authflow.errors`; throttling is retried by botocore's standard retry mode before it surfaces.
"""

# ruff: noqa: E402 (botocore's HTTP module is imported first, on purpose: see _import_botocore_http)
from __future__ import annotations

import _thread
import datetime
import functools
import json
import queue
import re
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any


def _import_botocore_http() -> None:
    """Import botocore's HTTP module without pyOpenSSL, which it never uses here.

    botocore.httpsession imports ``urllib3.contrib.pyopenssl`` only to find urllib3's SSLContext as it was
    before anyone injected pyOpenSSL, and falls back to ``urllib3.util.ssl_.SSLContext`` when that import
    fails. With pyOpenSSL installed (py_webauthn needs it) the import loads pyOpenSSL and much of
    cryptography: about a third of botocore's import time, paid by every command that talks to Cognito.
    Until ``urllib3.contrib.pyopenssl`` has been imported nobody can have injected it, so urllib3's own
    SSLContext is the original, and botocore is let to take it (a None entry in sys.modules makes that
    import fail). Later imports of pyOpenSSL are not affected."""
    name = "urllib3.contrib.pyopenssl"
    if "botocore.httpsession" in sys.modules or name in sys.modules:
        return
    sys.modules[name] = None  # type: ignore[assignment]
    try:
        import botocore.httpsession  # noqa: F401
    finally:
        if sys.modules.get(name, 0) is None:
            del sys.modules[name]


_import_botocore_http()

import botocore.session
from botocore import UNSIGNED, xform_name
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    HTTPClientError,
    ParamValidationError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError, ResponseParserFactory
from botocore.retries.standard import ExponentialBackoff, RetryContext, StandardRetryConditions
from botocore.validate import ParamValidator

from authflow import redaction
from authflow.calls import Request
from authflow.errors import (
    AuthflowError,
    CognitoError,
    ConnectionLostError,
    DeadlineError,
    EndpointError,
    ExpiredCodeError,
    InvalidParameterError,
    InvalidSessionError,
    MalformedResponseError,
    NotCognitoError,
    UnknownOperationError,
    cognito_error,
)
from authflow.replies import check_reply, printable
from authflow.secret_hash import secret_hash
from authflow.srp import pool_name_of
from authflow.tokens import Tokens

_CLIENT_LOCK = threading.Lock()


def _rebuild_pool(pool_id: str, client_id: str, client_secret: str | None, region: str, endpoint_url: str | None,
                  max_attempts: int, timeouts: tuple[float, float, float | None] = (10.0, 30.0, None),
                  max_connections: int = 10) -> UserPool:
    connect, read, call = timeouts
    return UserPool(pool_id, client_id, client_secret, region, endpoint_url, max_attempts=max_attempts,
                    connect_timeout=connect, read_timeout=read, call_timeout=call, max_connections=max_connections)


class UserPool:
    """A Cognito user pool and one of its app clients.

    ``client_secret`` is set for app clients that have one: SECRET_HASH is then sent with every call that
    carries a username. ``endpoint_url`` points at a Cognito-compatible server (the local user pool).
    Pass ``client`` to use your own boto3/botocore ``cognito-idp`` client instead.

    ``max_connections`` sizes the client's connection pool (botocore's ``max_pool_connections``, 10 by
    default): give it the number of threads or simulated users that share the pool, or connections beyond it
    are opened and discarded on every call ("Connection pool is full").
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
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        call_timeout: float | None = None,
        max_connections: int = 10,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections is at least 1")
        self.max_connections = max_connections
        if not (0 < connect_timeout and 0 < read_timeout and (call_timeout is None or 0 < call_timeout)):
            raise ValueError("timeouts are positive numbers of seconds")
        self.pool_id = pool_id
        self._answered = False  # has the endpoint answered a call as Cognito does?
        #: Seconds to connect, to wait for any byte of an answer, and for a whole call (retries included; None:
        #: no bound but the sign-in's deadline): the last holds against a server that trickles its answer a
        #: byte at a time. A bounded call runs on a worker thread (a hand-over per call); unbounded, it does not.
        self.connect_timeout, self.read_timeout, self.call_timeout = connect_timeout, read_timeout, call_timeout
        self.pool_name = pool_name_of(pool_id)
        self.client_id = client_id
        self._client_secret = client_secret or None
        self.region = region or pool_id.partition("_")[0]
        self.endpoint_url = endpoint_url
        self._max_attempts = max_attempts
        self._own_client = client is None
        self._client = client if client is not None else self._build_client(max_attempts)
        #: The sign-in calls sent the short way, once botocore has sent one of each (see _DirectCall).
        self._direct: dict[str, _DirectCall] = {}
        self._direct_allowed = self._own_client
        if self._own_client:
            self._learn_direct()
        #: Set once the server turned out to have no GetTokensFromRefreshToken.
        self._refresh_by_initiate_auth = False
        #: Per operation sent, by API name: the client's method for it and the members its input takes.
        self._operations: dict[str, tuple[str, Any]] = {}
        #: Per operation called, as it was named: (boto3 method name, API name).
        self._names: dict[str, tuple[str, str]] = {}

    def _build_client(self, max_attempts: int) -> Any:
        config = Config(
            signature_version=UNSIGNED,
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_connections,
        )
        # A private botocore session: creating clients from one session at once is not safe.
        with _CLIENT_LOCK:
            session = botocore.session.Session()
            client = session.create_client(
                "cognito-idp", region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )
        redaction.install()  # botocore's DEBUG logs show requests and replies: never their secrets
        return client

    def _learn_direct(self) -> None:
        """Watch botocore send the first call of each operation in :data:`DIRECT_OPERATIONS`; later calls
        go the same way (URL, User-Agent) without botocore's per-call machinery (see :class:`_DirectCall`)."""
        events = getattr(getattr(self._client, "meta", None), "events", None)
        if events is None or not hasattr(self._client, "_endpoint"):
            return
        for operation in DIRECT_OPERATIONS:
            events.register(f"before-send.cognito-identity-provider.{operation}", self._learn_one)

    def _learn_one(self, request: Any, **_: Any) -> None:
        operation = request.headers.get("X-Amz-Target", b"")
        operation = (operation.decode() if isinstance(operation, bytes) else str(operation)).rpartition(".")[2]
        if self._direct_allowed and operation in DIRECT_OPERATIONS and operation not in self._direct:
            agent = request.headers.get("User-Agent", b"")
            self._direct[operation] = _DirectCall(
                self._client, operation, request.url, agent.decode() if isinstance(agent, bytes) else str(agent),
                self._max_attempts)

    @property
    def client(self) -> Any:
        """The botocore ``cognito-idp`` client in use. Whoever takes it may register event hooks on it (the
        command line's ``--verbose`` does), so from then on every call goes through the client's methods,
        never the short way of :class:`_DirectCall`, which fires no hooks."""
        self._direct_allowed = False
        self._direct.clear()
        return self._client

    @property
    def has_secret(self) -> bool:
        return self._client_secret is not None

    def secret_hash(self, username: str) -> str | None:
        """SECRET_HASH over ``username``, or None when the app client has no secret."""
        if self._client_secret is None:
            return None
        return secret_hash(username, self.client_id, self._client_secret)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickles as its settings (for ``sign_in_many(processes=...)``): the other side makes its own client."""
        if not self._own_client:
            raise TypeError("a UserPool with a client of your own cannot be sent to another process")
        return (_rebuild_pool, (self.pool_id, self.client_id, self._client_secret, self.region, self.endpoint_url,
                                self._max_attempts, (self.connect_timeout, self.read_timeout, self.call_timeout),
                                self.max_connections))

    def __repr__(self) -> str:
        secret = ", client_secret=<hidden>" if self.has_secret else ""
        endpoint = f", endpoint_url={self.endpoint_url!r}" if self.endpoint_url else ""
        return f"UserPool({self.pool_id!r}, {self.client_id!r}{secret}{endpoint})"

    # --- calls ----------------------------------------------------------------------------------

    def call(self, operation: str, *, timeout: float | None = None, **kwargs: Any) -> dict[str, Any]:
        """Call a Cognito operation by its API name (``ChangePassword``) or its boto3 name
        (``change_password``); Cognito's errors come back typed, and an operation that cognito-idp does not
        have is an :class:`~authflow.errors.UnknownOperationError`, with nothing sent.

        With ``timeout`` or the pool's ``call_timeout``, the whole call (botocore's retries included) ends
        within the smaller or raises :class:`~authflow.errors.DeadlineError`: a server that trickles its
        answer cannot hold it longer."""
        method_name, api_name = self.operation_names(operation)
        limits = [t for t in (timeout, self.call_timeout) if t is not None]
        limit = min(limits) if limits else None
        sign_in_deadline = timeout is not None and (self.call_timeout is None or timeout < self.call_timeout)
        method = self._direct.get(api_name) or getattr(self._client, method_name)
        try:
            reply = _invoke(method, kwargs, api_name, limit=limit,
                            sign_in_deadline=sign_in_deadline, read_timeout=self.read_timeout)
        except NotCognitoError as error:
            # An endpoint that has answered as Cognito does and now answers a bare HTTP error (a test server
            # without this operation, say) is the right endpoint: the error says so (see its advice).
            error.answered_before = self._answered
            raise
        self._answered = True
        return reply

    def operation_names(self, operation: str) -> tuple[str, str]:
        """(boto3 method name, API name) of ``operation``, given either way; else UnknownOperationError."""
        names = self._names.get(operation)
        if names is None:
            method_name = operation if operation[:1].islower() else xform_name(operation)
            mapping = getattr(getattr(self._client, "meta", None), "method_to_api_mapping", None)
            if isinstance(mapping, Mapping):
                api_name = mapping.get(method_name)
                if not isinstance(api_name, str):
                    raise UnknownOperationError(
                        f"cognito-idp has no operation {printable(operation, 80)!r} (give its API name, such as "
                        "ChangePassword, or its boto3 name, such as change_password)")
            elif callable(getattr(self._client, method_name, None)):  # a client of the app's own, without meta
                api_name = _api_name(method_name)
            else:
                raise UnknownOperationError(f"the client has no operation {printable(operation, 80)!r}")
            names = self._names[operation] = (method_name, api_name)
        return names

    def send(
        self,
        request: Request,
        *,
        device_key: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Send a request of a ``states/`` module, completed with what the app client and the sign-in add:
        ``ClientId``, ``ClientMetadata`` (where the operation takes them), SECRET_HASH over USERNAME in
        AuthParameters / ChallengeResponses (``SecretHash`` over ``Username`` for SignUp and the like) when
        the client has a secret, and ``DEVICE_KEY`` when signing in with a remembered device."""
        method, members = self._operations.get(request.operation) or self._operation(request.operation)
        body: dict[str, Any] = {k: v for k, v in request.parameters.items() if v is not None}
        if "ClientId" in members:
            body["ClientId"] = self.client_id
        if client_metadata and "ClientMetadata" in members:
            body["ClientMetadata"] = dict(client_metadata)
        for key in ("AuthParameters", "ChallengeResponses"):
            if key in body:
                body[key] = self._completed(body[key], device_key)
        if "SecretHash" in members and "Username" in body and self._client_secret is not None:
            body["SecretHash"] = self.secret_hash(body["Username"])
        return self.call(method, timeout=timeout, **body)

    def _operation(self, operation: str) -> tuple[str, Any]:
        """The client's method name for ``operation`` (an API name) and its input's members, looked up once."""
        found = xform_name(operation), self._client.meta.service_model.operation_model(operation).input_shape.members
        self._operations[operation] = found
        return found

    def _completed(self, parameters: Mapping[str, str], device_key: str | None) -> dict[str, str]:
        result = dict(parameters)
        digest = self.secret_hash(result["USERNAME"]) if "USERNAME" in result else None
        if digest is not None:
            result["SECRET_HASH"] = digest
        if device_key is not None:
            result.setdefault("DEVICE_KEY", device_key)
        return result

    def refresh(
        self,
        refresh_token: str,
        *,
        username: str | None = None,
        device_key: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> Tokens:
        """New tokens from a refresh token: GetTokensFromRefreshToken, else REFRESH_TOKEN_AUTH.

        With refresh-token rotation on the app client, the result holds a new refresh token and the old
        one stops working after the client's grace period: keep ``tokens.refresh_token``. A server that
        has no GetTokensFromRefreshToken (moto, older local servers) is asked with InitiateAuth
        REFRESH_TOKEN_AUTH instead, from then on. ``username`` is the internal username (the access
        token's ``username`` claim): that fallback needs it for SECRET_HASH when the client has a secret.
        ``device_key`` is needed with device tracking.
        """
        if not self._refresh_by_initiate_auth:
            body = {"RefreshToken": refresh_token, "ClientSecret": self._client_secret, "DeviceKey": device_key}
            try:
                response = self.send(Request("GetTokensFromRefreshToken", body), client_metadata=client_metadata)
            except CognitoError as exc:
                if not _no_such_operation(exc):
                    raise
                self._refresh_by_initiate_auth = True
            else:
                return _refreshed(response, refresh_token, "GetTokensFromRefreshToken")
        parameters = {"REFRESH_TOKEN": refresh_token}
        if self._client_secret is not None:
            if not username:
                raise ValueError("this app client has a secret: refresh needs the internal username")
            parameters["SECRET_HASH"] = secret_hash(username, self.client_id, self._client_secret)
        response = self.send(
            Request("InitiateAuth", {"AuthFlow": "REFRESH_TOKEN_AUTH", "AuthParameters": parameters}),
            device_key=device_key or None,
            client_metadata=client_metadata,
        )
        return _refreshed(response, refresh_token, "REFRESH_TOKEN_AUTH")

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

    def forget_device(self, access_token: str, device_key: str) -> None:
        self.call("forget_device", AccessToken=access_token, DeviceKey=device_key)


#: Account operations whose answer Cognito takes once (a code verified, a password changed, the account deleted): a
#: refusal of a retry sent after a connection that broke may mean the first sending was taken
#: (``after_lost_connection``).
_TAKEN_ONCE = frozenset({"ChangePassword", "DeleteUser", "VerifySoftwareToken", "VerifyUserAttribute"})


def _invoke(method: Any, kwargs: dict[str, Any], api_name: str, *, limit: float | None, sign_in_deadline: bool,
            read_timeout: float) -> dict[str, Any]:
    """Make one call of a botocore client; the service's errors come back typed (see UserPool.call)."""
    if limit is not None and limit <= 0:
        raise DeadlineError(f"{api_name} was not sent: the sign-in's deadline has passed", code="SignInDeadline")
    try:
        if limit is None:
            response = method(**kwargs)
        else:
            response = _run(method, kwargs, limit, api_name, sign_in_deadline)
    except ClientError as exc:
        error = exc.response.get("Error") if isinstance(exc.response, dict) else None
        error = error if isinstance(error, dict) else {}
        typed = cognito_error(_error_text(error.get("Code"), 128) or "CognitoError",
                              _error_text(error.get("Message"), 1000), api_name)
        # A retry after a connection that broke once the request had gone: Cognito may have taken the first one
        # (the Session or the code it then calls used was used by it).
        metadata = exc.response.get("ResponseMetadata") if isinstance(exc.response, dict) else None
        retried = getattr(exc, "after_lost_connection", None)  # set by _DirectCall; botocore's own retries:
        if retried is None:  # the answer came to a later attempt (the earlier broke, failed or was throttled)
            retried = isinstance(metadata, dict) and bool(metadata.get("RetryAttempts"))
        if retried and (isinstance(typed, InvalidSessionError | ExpiredCodeError) or api_name in _TAKEN_ONCE):
            typed.after_lost_connection = True
        raise typed from None
    except ParamValidationError as exc:
        raise InvalidParameterError(
            _first_line(str(exc)), code="ParamValidationError", operation=api_name
        ) from None
    except (EndpointConnectionError, ConnectTimeoutError) as exc:
        raise EndpointError(f"cannot reach {str(exc.kwargs.get('endpoint_url', 'Cognito')).rstrip('/')}") from None
    except ReadTimeoutError:
        raise DeadlineError(
            f"{api_name}: Cognito sent nothing for {read_timeout:g} s (read timeout)", code="ReadTimeout"
        ) from None
    except HTTPClientError as exc:  # ConnectionClosedError and the like: the request went, no answer came back
        where = str(exc.kwargs.get("endpoint_url", "Cognito")).rstrip("/")
        raise ConnectionLostError(f"the connection to {where} broke before {api_name} was answered") from None
    except ResponseParserError:
        raise MalformedResponseError(f"{api_name}: Cognito's answer could not be parsed") from None
    except BotoCoreError as exc:
        raise AuthflowError(_first_line(str(exc)), code=type(exc).__name__) from None
    except _PARSE_FAILURES as exc:
        # botocore's parsers assume a well-formed body: a JSON list, a non-string __type, bytes that
        # are not UTF-8 or JSON nested past the recursion limit fail inside them with a plain Python error.
        raise MalformedResponseError(
            f"{api_name}: Cognito's answer could not be read ({type(exc).__name__})"
        ) from None
    if not isinstance(response, dict):
        raise MalformedResponseError(f"{api_name} answered with something other than an object")
    response.pop("ResponseMetadata", None)
    check_reply(response, api_name)
    return response


class CognitoIdentity:
    """An Amazon Cognito identity pool's API (cognito-identity) and the one STS call of its basic flow, unsigned
    as the user pool's: GetId, GetCredentialsForIdentity and GetOpenIdToken need no AWS credentials, nor does
    STS AssumeRoleWithWebIdentity. ``endpoint_url`` points both at a Cognito-compatible server (the local pool);
    without it they go to AWS. Errors come back typed, as from :class:`UserPool`."""

    def __init__(
        self,
        region: str,
        endpoint_url: str | None = None,
        *,
        max_attempts: int = 3,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        call_timeout: float | None = None,
    ) -> None:
        self.region = region
        self.endpoint_url = endpoint_url
        self.read_timeout, self.call_timeout = read_timeout, call_timeout
        self._config = Config(
            signature_version=UNSIGNED,
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """The unsigned botocore client of ``service`` ("cognito-identity" or "sts"), made at its first use."""
        if service not in self._clients:
            with _CLIENT_LOCK:
                session = botocore.session.Session()
                self._clients[service] = session.create_client(
                    service, region_name=self.region, endpoint_url=self.endpoint_url, config=self._config
                )
            redaction.install()
        return self._clients[service]

    def call(self, operation: str, *, service: str = "cognito-identity", **kwargs: Any) -> dict[str, Any]:
        """Call an operation by its boto3 name; the service's errors come back typed."""
        return _invoke(getattr(self.client(service), operation), kwargs, _api_name(operation),
                       limit=self.call_timeout, sign_in_deadline=False, read_timeout=self.read_timeout)

    def get_id(self, identity_pool_id: str, logins: Mapping[str, str]) -> str:
        kwargs: dict[str, Any] = {"IdentityPoolId": identity_pool_id}
        if logins:
            kwargs["Logins"] = dict(logins)
        identity_id = self.call("get_id", **kwargs).get("IdentityId")
        if not isinstance(identity_id, str) or not identity_id:
            raise MalformedResponseError("GetId answered without an IdentityId")
        return identity_id

    def get_credentials_for_identity(
        self, identity_id: str, logins: Mapping[str, str], custom_role_arn: str | None = None
    ) -> dict[str, Any]:
        """GetCredentialsForIdentity: {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" (epoch
        seconds), "IdentityId"}."""
        kwargs: dict[str, Any] = {"IdentityId": identity_id}
        if logins:
            kwargs["Logins"] = dict(logins)
        if custom_role_arn:
            kwargs["CustomRoleArn"] = custom_role_arn
        response = self.call("get_credentials_for_identity", **kwargs)
        credentials = _credentials(response.get("Credentials"), "GetCredentialsForIdentity", "SecretKey")
        answered = response.get("IdentityId")
        credentials["IdentityId"] = answered if isinstance(answered, str) and answered else identity_id
        return credentials

    def get_open_id_token(self, identity_id: str, logins: Mapping[str, str]) -> str:
        kwargs: dict[str, Any] = {"IdentityId": identity_id}
        if logins:
            kwargs["Logins"] = dict(logins)
        token = self.call("get_open_id_token", **kwargs).get("Token")
        if not isinstance(token, str) or not token:
            raise MalformedResponseError("GetOpenIdToken answered without a Token")
        return token

    def assume_role_with_web_identity(
        self, role_arn: str, web_identity_token: str, session_name: str, duration_seconds: int = 3600
    ) -> dict[str, Any]:
        """STS AssumeRoleWithWebIdentity: {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}."""
        response = self.call("assume_role_with_web_identity", service="sts", RoleArn=role_arn,
                             WebIdentityToken=web_identity_token, RoleSessionName=session_name,
                             DurationSeconds=duration_seconds)
        return _credentials(response.get("Credentials"), "AssumeRoleWithWebIdentity", "SecretAccessKey")

    def __repr__(self) -> str:
        endpoint = f", endpoint_url={self.endpoint_url!r}" if self.endpoint_url else ""
        return f"CognitoIdentity({self.region!r}{endpoint})"


def _credentials(value: Any, operation: str, secret_name: str) -> dict[str, Any]:
    """Temporary credentials of an answer, checked: the three strings and Expiration as epoch seconds."""
    if not isinstance(value, Mapping):
        raise MalformedResponseError(f"{operation} answered without Credentials")
    result: dict[str, Any] = {}
    for ours, theirs in (("AccessKeyId", "AccessKeyId"), ("SecretAccessKey", secret_name),
                         ("SessionToken", "SessionToken")):
        item = value.get(theirs)
        if not isinstance(item, str) or not item or not item.isprintable():
            raise MalformedResponseError(f"{operation}: Credentials.{theirs} is not a string")
        result[ours] = item
    expiration = value.get("Expiration")
    if isinstance(expiration, datetime.datetime):
        aware = expiration if expiration.tzinfo else expiration.replace(tzinfo=datetime.timezone.utc)
        when = aware.timestamp()
    elif isinstance(expiration, (int, float)) and not isinstance(expiration, bool):
        when = float(expiration)
    else:
        raise MalformedResponseError(f"{operation}: Credentials.Expiration is not a time")
    if not 0 < when < 32_503_680_000:
        raise MalformedResponseError(f"{operation}: Credentials.Expiration is out of range")
    result["Expiration"] = when
    return result


def refreshable_session(fetch: Callable[[], Mapping[str, Any]], *, region: str | None = None) -> Any:
    """A boto3 ``Session`` whose credentials refresh themselves (botocore's ``RefreshableCredentials``):
    ``fetch()`` returns {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" (epoch seconds)}, and is
    called again as the credentials near their expiry. Needs boto3."""
    import boto3
    from botocore.credentials import CredentialProvider, RefreshableCredentials

    def metadata() -> dict[str, str]:
        credentials = fetch()
        expiry = datetime.datetime.fromtimestamp(float(credentials["Expiration"]), datetime.timezone.utc)
        return {"access_key": credentials["AccessKeyId"], "secret_key": credentials["SecretAccessKey"],
                "token": credentials["SessionToken"], "expiry_time": expiry.isoformat()}

    class _CognitoIdentityProvider(CredentialProvider):  # type: ignore[misc]
        METHOD = "authflow-cognito-identity"
        CANONICAL_NAME = "authflow"

        def load(self) -> Any:
            return RefreshableCredentials.create_from_metadata(
                metadata=metadata(), refresh_using=metadata, method=self.METHOD
            )

    with _CLIENT_LOCK:
        session = botocore.session.Session()
    session.get_component("credential_provider").insert_before("env", _CognitoIdentityProvider())
    if region:
        session.set_config_variable("region", region)
    return boto3.Session(botocore_session=session)


#: Error codes of a server that does not know an operation. A bare HTTP status as the code means the
#: answer was not a Cognito error at all (moto answers an operation it lacks with an HTML page).
_UNKNOWN_OPERATION_CODES = frozenset({
    "UnsupportedOperationException", "UnknownOperationException", "InvalidAction", "NotImplemented",
})


def _no_such_operation(exc: CognitoError) -> bool:
    return exc.code in _UNKNOWN_OPERATION_CODES or isinstance(exc, NotCognitoError)


def _refreshed(response: Mapping[str, Any], refresh_token: str, how: str) -> Tokens:
    result = response.get("AuthenticationResult")
    if not isinstance(result, Mapping):
        raise MalformedResponseError(f"{how} answered without AuthenticationResult")
    return Tokens.from_authentication_result(result, previous_refresh_token=refresh_token)


#: The sign-in's own calls (unsigned, JSON in, JSON out), sent by :class:`_DirectCall` once botocore has sent one.
DIRECT_OPERATIONS = frozenset({"InitiateAuth", "RespondToAuthChallenge"})


class _DirectCall:
    """One sign-in operation sent the short way, through the client's own pieces: botocore's parameter
    validation, its HTTP session (connection pool, proxies, TLS settings, timeouts), its response parser and
    its standard retry conditions and backoff, so the answer and every error are what the client's method
    gives. What it leaves out is the per-call work a sign-in does not need: the event hooks, endpoint rules
    (the URL is the one botocore used for the first call), user-agent building and the request objects
    built and copied on the way (about 0.5 ms of a 0.8 ms call). Only for clients authflow built itself
    (unsigned, no hooks of an application's own)."""

    def __init__(self, client: Any, operation: str, url: str, user_agent: str, max_attempts: int) -> None:
        self._http = client._endpoint.http_session
        self._model = client.meta.service_model.operation_model(operation)
        self._parser = ResponseParserFactory().create_parser(self._model.metadata["protocol"])
        self._validator = ParamValidator()
        self._exceptions = client.exceptions
        self._url = url
        self._headers = {
            "X-Amz-Target": f"{self._model.metadata['targetPrefix']}.{operation}",
            "Content-Type": f"application/x-amz-json-{self._model.metadata['jsonVersion']}",
            "User-Agent": user_agent,
        }
        self._max_attempts = max_attempts
        self._retryable = StandardRetryConditions(max_attempts=max_attempts).is_retryable
        self._backoff = ExponentialBackoff().delay_amount

    def __call__(self, **params: Any) -> dict[str, Any]:
        report = self._validator.validate(params, self._model.input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
        body = json.dumps(params).encode()
        attempt = 1
        maybe_sent = False  # an earlier attempt's connection broke after the request went: it may have arrived
        while True:
            headers = {**self._headers, "Content-Length": str(len(body)),
                       "amz-sdk-invocation-id": str(uuid.uuid4()),
                       "amz-sdk-request": f"attempt={attempt}; max={self._max_attempts}"}
            response: Any = None
            parsed: dict[str, Any] | None = None
            caught: Exception | None = None
            try:
                response = self._http.send(AWSPreparedRequest("POST", self._url, headers, body, False))
            except HTTPClientError as exc:
                caught = exc
            else:
                parsed = self._parser.parse(
                    {"headers": response.headers, "status_code": response.status_code, "body": response.content,
                     "context": {"operation_name": self._model.name}},
                    self._model.output_shape)
            if caught is None and response.status_code < 300 and isinstance(parsed, dict):
                return parsed  # the usual answer: no retry condition holds for a success
            context = RetryContext(attempt_number=attempt, operation_model=self._model, parsed_response=parsed,
                                   http_response=response, caught_exception=caught)
            if attempt < self._max_attempts and self._retryable(context):
                maybe_sent = maybe_sent or (
                    caught is not None and not isinstance(caught, EndpointConnectionError | ConnectTimeoutError))
                time.sleep(self._backoff(context))
                attempt += 1
                continue
            if caught is not None:
                raise caught
            if not isinstance(parsed, dict):
                raise ResponseParserError(f"{self._model.name}: the answer is not a JSON object")
            # as the client's method raises it (an error code of the wrong type fails there too)
            code = parsed.get("Error", {}).get("Code")
            refusal = self._exceptions.from_code(code)(parsed, self._model.name)
            refusal.after_lost_connection = maybe_sent  # read by _invoke
            raise refusal


class _Worker(threading.Thread):
    """Makes the calls of one calling thread, so that a call can be given up at its deadline: a worker
    stuck reading a trickling server is abandoned (it ends when the server stops, or pauses past the read
    timeout) and replaced; being a daemon, it never keeps the process from exiting. Kept per calling
    thread and reused, so a call costs a hand-over, not a new thread."""

    def __init__(self) -> None:
        super().__init__(name="authflow-call", daemon=True)
        self.jobs: queue.SimpleQueue[tuple[Any, dict[str, Any], list[Any], Any]] = queue.SimpleQueue()
        self.start()

    def run(self) -> None:
        while True:
            method, kwargs, outcome, done = self.jobs.get()
            try:
                outcome.append((True, method(**kwargs)))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
                outcome.append((False, exc))
            done.release()


_WORKERS = threading.local()


def _run(method: Any, kwargs: dict[str, Any], limit: float, api_name: str, sign_in_deadline: bool) -> Any:
    worker: _Worker | None = getattr(_WORKERS, "worker", None)
    if worker is None:
        worker = _WORKERS.worker = _Worker()
    outcome: list[Any] = []
    done = _thread.allocate_lock()  # held until the worker releases it: a plain lock is the cheapest hand-back
    done.acquire()
    worker.jobs.put((method, kwargs, outcome, done))
    if not done.acquire(True, limit):
        _WORKERS.worker = None  # this one is stuck on the call: the next call gets a new worker
        if sign_in_deadline:
            raise DeadlineError(f"{api_name}: the sign-in's deadline passed while waiting for Cognito",
                                code="SignInDeadline")
        raise DeadlineError(f"{api_name}: no complete answer from Cognito within {limit:g} s (call timeout)",
                            code="CallTimeout")
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


#: What botocore's parsers raise on a body they did not expect (see UserPool.call).
_PARSE_FAILURES = (AttributeError, TypeError, ValueError, KeyError, IndexError, RecursionError, OverflowError,
                   UnicodeError)


@functools.cache
def _api_name(operation: str) -> str:
    """Cognito's name of an operation from the client's method name: ``initiate_auth`` -> ``InitiateAuth``."""
    return "".join(part.capitalize() for part in operation.split("_"))


def _error_text(value: object, limit: int) -> str:
    """An error code or message from the server, as printable text of bounded length."""
    return printable(value if isinstance(value, str) else "", limit)


def _first_line(text: str) -> str:
    """A botocore message as one line, with any echoed parameter value hidden. A ParamValidationError's report
    is a header line ("Parameter validation failed:") and then what failed, a line each: those lines are what
    a person needs (the header alone said nothing), joined with "; "."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()] or [text]
    if len(lines) > 1 and lines[0].rstrip(":").lower() == "parameter validation failed":
        lines = lines[1:]
    return "; ".join(re.sub(r"value: .*?(, (type|valid)|$)", r"value: <hidden>\1", line) for line in lines)
