"""Cognito's limits and rules on every input, each tried by a test that attempts to break it."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from authflow.localpool import LocalUserPool

from .helpers import error, idp, password_auth, respond

PASSWORD = "Passw0rd!"


# --- TOTP codes written in other scripts' digits ---------------------------------------------------


#: Six digits to str.isdigit, but none of them ASCII: fullwidth, Arabic-Indic, one mixed in, superscripts.
NON_ASCII_CODES = ["\uff11\uff12\uff13\uff14\uff15\uff16", "\u0661\u0662\u0663\u0664\u0665\u0666", "12345\u0666",
                   "\u00b2\u00b3\u2074\u2075\u2076\u2077"]


@pytest.mark.parametrize("code", NON_ASCII_CODES)
def test_totp_code_in_non_ascii_digits_is_a_code_mismatch(local_pool: LocalUserPool, code: str) -> None:
    local_pool.pool().mfa_configuration = "OPTIONAL"
    local_pool.add_user("tina", PASSWORD, mfa=["SOFTWARE_TOKEN_MFA"], preferred_mfa="SOFTWARE_TOKEN_MFA")
    client = idp(local_pool)
    challenge = password_auth(client, local_pool.client_id, "tina", PASSWORD)
    with pytest.raises(ClientError) as excinfo:
        respond(client, local_pool.client_id, challenge, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})
    assert error(excinfo)[0] == "CodeMismatchException"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    # the Session survives the wrong code: the right one still signs in
    right = local_pool.totp_code("tina")
    answer = respond(client, local_pool.client_id, challenge, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": right})
    assert "AccessToken" in answer["AuthenticationResult"]
