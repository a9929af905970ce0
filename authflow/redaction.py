"""A logging filter that keeps secrets out of botocore's DEBUG logs.

With DEBUG logging on (a common first step when something fails), botocore logs each request's body
(``botocore.endpoint``) and each response's body (``botocore.parsers``): passwords, codes, Sessions,
SECRET_HASH, SRP claims, new TOTP secrets and tokens. :func:`install` puts :class:`RedactingFilter` on
botocore's and urllib3's loggers when authflow builds its Cognito client, so the calls still show (the
operation, the parameter names, the challenge) with every secret value replaced by ``<redacted>``.
"""

from __future__ import annotations

import logging
import re
import threading

#: Parameter and member names whose values are secret, in requests and replies.
SECRET_KEYS = (
    "PASSWORD", "NEW_PASSWORD", "PASSWORD_CLAIM_SIGNATURE", "PASSWORD_CLAIM_SECRET_BLOCK", "SECRET_BLOCK",
    "SECRET_HASH", "SecretHash", "Session", "AccessToken", "IdToken", "RefreshToken", "REFRESH_TOKEN",
    "SecretCode", "UserCode", "ConfirmationCode", "Password", "ProposedPassword", "PreviousPassword",
    "ClientSecret", "ANSWER", "CREDENTIAL", "Credential", "Token", "SMS_MFA_CODE", "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP_CODE", "SMS_OTP_CODE", "Code", "DeviceSecretVerifierConfig", "PasswordVerifier", "Salt",
    "Logins", "SecretKey", "SecretAccessKey", "SessionToken", "WebIdentityToken",
)
_KEYS = "|".join(re.escape(k) for k in sorted(SECRET_KEYS, key=len, reverse=True))
# "Key": "value" (JSON), 'Key': 'value' (a Python repr), also with escaped quotes inside a bytes repr.
_QUOTED = re.compile(
    r"""(?P<key>(?:\\?["'])(?:""" + _KEYS + r""")(?:\\?["']))(?P<sep>\s*:\s*)(?P<quote>\\?["'])"""
    r"""(?P<value>.*?)(?P=quote)"""
)
# A secret that is a JSON object (DeviceSecretVerifierConfig): its whole body.
_OBJECT = re.compile(r"""(?P<key>(?:\\?["'])(?:""" + _KEYS + r""")(?:\\?["']))(?P<sep>\s*:\s*)\{[^{}]*\}""")
# STS's XML answers and query-protocol requests (AssumeRoleWithWebIdentity): <SecretAccessKey>...</...>, Key=value.
_XML = re.compile(r"<(?P<tag>SecretAccessKey|SessionToken)>[^<]*</(?P=tag)>")
_FORM = re.compile(r"(?P<key>\b(?:WebIdentityToken|SecretAccessKey|SessionToken)=)[^&\s'\"]*")
# Anything that looks like a JWT, wherever it appears.
_JWT = re.compile(r"eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]{8,}")

REDACTED = "<redacted>"


def redact(text: str) -> str:
    """``text`` with the value of every secret key, and every JWT, replaced by ``<redacted>``."""
    text = _OBJECT.sub(lambda m: f"{m['key']}{m['sep']}{{{REDACTED}}}", text)
    text = _QUOTED.sub(lambda m: f"{m['key']}{m['sep']}{m['quote']}{REDACTED}{m['quote']}", text)
    text = _XML.sub(lambda m: f"<{m['tag']}>{REDACTED}</{m['tag']}>", text)
    text = _FORM.sub(lambda m: f"{m['key']}{REDACTED}", text)
    return _JWT.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message with :func:`redact` (the record is kept, its secrets are not)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: show its template only
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        return True


_FILTER = RedactingFilter()
_LOCK = threading.Lock()
#: The loggers that write request or response contents (others log names and URLs only; they get the
#: filter too, being cheap, in case a later botocore logs more).
_PREFIXES = ("botocore", "urllib3", "authflow")


def install() -> None:
    """Put the filter on every botocore, urllib3 and authflow logger that exists (they are made when their
    modules are imported, so call this after building a client). Idempotent."""
    with _LOCK:
        names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in _PREFIXES]
        for name in [*names, *(p for p in _PREFIXES)]:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
