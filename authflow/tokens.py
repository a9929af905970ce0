"""The result of a sign-in: Cognito's AuthenticationResult, with secrets kept out of reprs."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from authflow.errors import MalformedResponseError
from authflow.replies import checked_int, optional_str

#: The longest ExpiresIn taken from a server (a year); anything longer is a malformed answer.
MAX_EXPIRES_IN = 365 * 24 * 3600


@dataclass(frozen=True, repr=False)
class Tokens:
    """Tokens from ``AuthenticationResult``. ``raw`` keeps Cognito's own field names."""

    access_token: str
    id_token: str | None
    refresh_token: str | None
    expires_in: int
    token_type: str = "Bearer"
    new_device_metadata: Mapping[str, str] | None = None
    issued_at: float = field(default_factory=time.time)
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def expires_at(self) -> float:
        """Epoch seconds when the access and id tokens expire."""
        return self.issued_at + self.expires_in

    def expired(self, leeway: float = 30.0, now: float | None = None) -> bool:
        return (now if now is not None else time.time()) >= self.expires_at - leeway

    def authentication_result(self) -> dict[str, Any]:
        """The AuthenticationResult as Cognito names its fields (what ``authflow login`` prints)."""
        result: dict[str, Any] = {"AccessToken": self.access_token}
        if self.id_token is not None:
            result["IdToken"] = self.id_token
        if self.refresh_token is not None:
            result["RefreshToken"] = self.refresh_token
        result["ExpiresIn"] = self.expires_in
        result["TokenType"] = self.token_type
        if self.new_device_metadata:
            result["NewDeviceMetadata"] = dict(self.new_device_metadata)
        return result

    @classmethod
    def from_authentication_result(
        cls,
        result: Mapping[str, Any],
        *,
        issued_at: float | None = None,
        previous_refresh_token: str | None = None,
    ) -> Tokens:
        """Parse Cognito's AuthenticationResult; a refresh without rotation keeps the old refresh token."""
        access = result.get("AccessToken")
        if not isinstance(access, str) or not access:
            raise MalformedResponseError("AuthenticationResult has no AccessToken")
        # Cognito's access tokens live 5 minutes to 1 day; a year bounds anything a server could mean.
        expires_in = checked_int(result.get("ExpiresIn", 3600), "AuthenticationResult.ExpiresIn", 0, MAX_EXPIRES_IN)
        metadata = result.get("NewDeviceMetadata")
        if metadata is not None and not (
            isinstance(metadata, Mapping)
            and all(isinstance(metadata.get(k), str) and metadata.get(k) for k in ("DeviceKey", "DeviceGroupKey"))
        ):
            raise MalformedResponseError("NewDeviceMetadata has no DeviceKey and DeviceGroupKey strings")
        return cls(
            access_token=access,
            id_token=optional_str(result, "IdToken", "AuthenticationResult.IdToken"),
            refresh_token=optional_str(result, "RefreshToken", "AuthenticationResult.RefreshToken")
            or previous_refresh_token,
            expires_in=expires_in,
            token_type=optional_str(result, "TokenType", "AuthenticationResult.TokenType") or "Bearer",
            new_device_metadata={k: str(v) for k, v in metadata.items()} if metadata is not None else None,
            issued_at=time.time() if issued_at is None else issued_at,
            raw=dict(result),
        )

    def __repr__(self) -> str:
        return f"Tokens(token_type={self.token_type!r}, expires_in={self.expires_in}, <tokens hidden>)"
