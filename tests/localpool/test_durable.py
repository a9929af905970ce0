"""``--data``: the local pool's state in SQLite. What survives a restart, a SIGKILL under load, and what a
file that cannot be used gets (one line, exit status 2, the file untouched)."""

from __future__ import annotations

import json
import signal
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyotp
import pytest
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from authflow.localpool import LocalUserPool
from authflow.localpool.codec import decode, encode
from authflow.localpool.model import DeviceRecord, Passkey, PasswordRecord, User
from authflow.localpool.sqlite_store import APPLICATION_ID, SCHEMA_VERSION
from authflow.localpool.store import OUTBOX_LIMIT
from authflow.passkeys import SoftwarePasskey, passkey_answer
from tests.helpers.durable import PASSWORD, SEED, TOTP_SECRET, finish, first_line, spawn

from .helpers import DEVICE_PASSWORD, confirm_device, device_sign_in, idp, password_auth, respond, srp_auth, srp_start

#: The change log rows a --data file keeps (docs/performance.md, "Soak").
CHANGES_LIMIT = 100_000

# --- the model as rows -----------------------------------------------------------------------------


def test_a_user_with_everything_comes_back_equal() -> None:
    user = User(username="alice", attributes={"sub": "s-1", "email": "a@example.com"},
                password=PasswordRecord("us-east-1_X", "alice", PASSWORD), mfa_enabled={"SOFTWARE_TOKEN_MFA"},
                totp_secret=TOTP_SECRET, last_totp_step=123, attribute_codes={"email": ("123456", "b@x.org", 5.0, 1)},
                passkey_registration=("challenge", 9.5))
    user.devices["d"] = DeviceRecord(key="d", group_key="g", created=1.0, salt_hex="ab", verifier=2**700 + 1,
                                     remembered=True)
    user.passkeys["c"] = Passkey(credential_id=b"\x00\xffid", public_key=b"\x01key", sign_count=7, created=2.0,
                                 name="laptop", transports=["usb"])
    again = decode(User, json.loads(json.dumps(encode(user))))
    assert encode(again) == encode(user)
    assert again.password is not None and again.password.check(PASSWORD) and not again.password.check("nope")
    assert again.attribute_codes["email"] == ("123456", "b@x.org", 5.0, 1)
    assert again.passkeys["c"].credential_id == b"\x00\xffid" and again.devices["d"].verifier == 2**700 + 1
    assert again.mfa_enabled == {"SOFTWARE_TOKEN_MFA"}


@dataclass
class _Grown:
    """A model class as another developer may grow it: new fields of plain types with defaults."""

    name: str
    status: str = "ACTIVE"
    counts: dict[str, int] = field(default_factory=dict)
    tags: set[str] = field(default_factory=set)
    window: tuple[float, float] | None = None


def test_a_new_field_persists_and_an_old_row_reads_with_its_default() -> None:
    grown = _Grown("x", status="PAUSED", counts={"a": 1}, tags={"t"}, window=(1.0, 2.5))
    assert decode(_Grown, json.loads(json.dumps(encode(grown)))) == grown
    old_row = {"name": "y", "gone": "a field removed since"}
    assert decode(_Grown, old_row) == _Grown("y")


# --- restart ------------------------------------------------------------------------------------------


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "pool.db"
    with LocalUserPool(SEED, data=path) as pool:
        client = idp(pool)
        client_id = pool.client_id
        client.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD,
                       UserAttributes=[{"Name": "email", "Value": "sam@example.com"}])
        client.confirm_sign_up(ClientId=client_id, Username="sam", ConfirmationCode=pool.last_code("sam"))
        tokens = password_auth(client, client_id, "sam", PASSWORD)["AuthenticationResult"]
        client.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD,
                               ProposedPassword="N3w-Passw0rd!")
        rotated = client.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"])
        code = pyotp.TOTP(TOTP_SECRET).at(pool.clock.now())
        mfa = password_auth(client, client_id, "tina", PASSWORD)
        respond(client, client_id, mfa, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})
        wrong = [pytest.raises(ClientError) for _ in range(2)]
        for raises in wrong:
            with raises:
                password_auth(client, client_id, "tina", "wrong-Passw0rd!")
        sent = len(pool.outbox())
    assert path.stat().st_mode & 0o777 == 0o600
    with LocalUserPool(SEED, data=path) as pool:  # the seed is not applied again: the file's state is
        client = idp(pool)
        assert pool.user("sam").status == "CONFIRMED" and pool.user("tina").failed_password_attempts == 2
        assert len(pool.outbox()) == sent and pool.outbox("sam")[0].purpose == "CONFIRM_SIGN_UP"
        assert password_auth(client, client_id, "sam", "N3w-Passw0rd!")["AuthenticationResult"]
        with pytest.raises(ClientError, match="Incorrect username or password"):
            password_auth(client, client_id, "sam", PASSWORD)
        # the rotated refresh token works, the one it replaced is refused (grace period 0)
        assert client.get_tokens_from_refresh_token(
            ClientId=client_id, RefreshToken=rotated["AuthenticationResult"]["RefreshToken"])["AuthenticationResult"]
        with pytest.raises(ClientError) as refused:
            client.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"])
        assert refused.value.response["Error"]["Code"] == "RefreshTokenReuseException"
        # the TOTP code used before the restart is not accepted again
        mfa = password_auth(client, client_id, "tina", PASSWORD)
        with pytest.raises(ClientError) as reused:
            respond(client, client_id, mfa, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})
        assert reused.value.response["Error"]["Code"] in ("CodeMismatchException", "ExpiredCodeException")


def test_a_session_started_before_a_restart_continues_after_it(tmp_path: Path) -> None:
    path = tmp_path / "pool.db"
    with LocalUserPool(SEED, data=path) as pool:
        client_id = pool.client_id
        mfa = srp_auth(idp(pool), pool, "tina", PASSWORD)
        assert mfa["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    with LocalUserPool(SEED, data=path) as pool:
        client = idp(pool)
        code = pyotp.TOTP(TOTP_SECRET).at(pool.clock.now())
        assert respond(client, client_id, mfa, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})[
            "AuthenticationResult"]
        with pytest.raises(ClientError, match="session can only be used once"):
            respond(client, client_id, mfa, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})
        forged = dict(mfa, Session=mfa["Session"][:-8] + "AAAAAAAA")
        with pytest.raises(ClientError, match="Invalid session"):
            respond(client, client_id, forged, {"USERNAME": "tina", "SOFTWARE_TOKEN_MFA_CODE": code})


#: A pool that remembers every device and signs in with passkeys (USER_AUTH's WEB_AUTHN).
KEPT_SEED = {"pools": [{
    "id": "us-east-1_Durable02", "name": "kept", "mfa": "OPTIONAL", "device_tracking": "always",
    "allowed_first_auth_factors": ["PASSWORD", "WEB_AUTHN"],
    "web_authn": {"relying_party_id": "localhost", "user_verification": "preferred"},
    "clients": [{"id": "durableclient0000000000002", "name": "app", "explicit_auth_flows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}],
    "users": [{"username": "alice", "password": DEVICE_PASSWORD}],
}]}


def test_a_registered_passkey_and_a_remembered_device_work_after_a_restart(tmp_path: Path) -> None:
    """A passkey registered (StartWebAuthnRegistration/CompleteWebAuthnRegistration) and a device confirmed
    (ConfirmDevice) before the pool stops still sign in after it starts again on the same file."""
    path = tmp_path / "pool.db"
    key_file = tmp_path / "alice.passkey"
    with LocalUserPool(KEPT_SEED, data=path) as pool:
        client, client_id = idp(pool), pool.client_id
        result = password_auth(client, client_id, "alice", DEVICE_PASSWORD)["AuthenticationResult"]
        options = client.start_web_authn_registration(AccessToken=result["AccessToken"])["CredentialCreationOptions"]
        credential = SoftwarePasskey.generate(key_file).create_credential(options, "https://localhost")
        client.complete_web_authn_registration(AccessToken=result["AccessToken"], Credential=credential)
        device_key, group, device_password, _ = confirm_device(pool, result)
        assert device_sign_in(pool, device_key, group, device_password)["AuthenticationResult"]
    with LocalUserPool(KEPT_SEED, data=path) as pool:  # the seed is not applied again: the file's state is
        client = idp(pool)
        assert [p["CredentialId"] for p in client.list_web_authn_credentials(
            AccessToken=password_auth(client, client_id, "alice", DEVICE_PASSWORD)["AuthenticationResult"][
                "AccessToken"])["Credentials"]] == [credential["id"]]
        reply = client.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH",
                                     AuthParameters={"USERNAME": "alice", "PREFERRED_CHALLENGE": "WEB_AUTHN"})
        assert reply["ChallengeName"] == "WEB_AUTHN"
        answer = passkey_answer(SoftwarePasskey(key_file),
                                json.loads(reply["ChallengeParameters"]["CREDENTIAL_REQUEST_OPTIONS"]))
        signed_in = client.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="WEB_AUTHN", Session=reply["Session"],
            ChallengeResponses={"USERNAME": "alice", "CREDENTIAL": answer["credential"]})
        assert signed_in["AuthenticationResult"]["AccessToken"]
        # the remembered device: DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER against the verifier kept in the file
        assert device_sign_in(pool, device_key, group, device_password)["AuthenticationResult"]["AccessToken"]
        assert pool.user("alice").devices[device_key].remembered


def test_identity_pools_and_their_identities_survive_a_restart(tmp_path: Path) -> None:
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    seed = dict(SEED, identity_pools=[{"id": "us-east-1:00000000-0000-0000-0000-0000000000d1",
                                       "user_pools": ["us-east-1_Durable01"], "allow_unauthenticated": True,
                                       "roles": {"unauthenticated": "arn:aws:iam::123456789012:role/Guest"}}])
    path = tmp_path / "pool.db"

    def identity(pool: LocalUserPool) -> Any:
        return boto3.client("cognito-identity", region_name="us-east-1", endpoint_url=pool.endpoint_url,
                            config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))

    with LocalUserPool(seed, data=path) as pool:
        identity_id = identity(pool).get_id(IdentityPoolId=pool.identity_pool_id)["IdentityId"]
    with LocalUserPool(seed, data=path) as pool:
        assert pool.identity_pool_id == "us-east-1:00000000-0000-0000-0000-0000000000d1"
        assert identity_id in pool.identity_pool().identities
        assert identity(pool).get_credentials_for_identity(IdentityId=identity_id)["Credentials"]["AccessKeyId"]


def test_a_sealed_session_is_as_short_as_cognitos(tmp_path: Path) -> None:
    """Cognito's Session is at most 2,048 characters (the API's limit); a sealed PASSWORD_VERIFIER Session
    carries the SRP exchange (b, v, A) and stays under it."""
    with LocalUserPool(SEED, data=tmp_path / "pool.db") as pool:
        mfa = srp_auth(idp(pool), pool, "tina", PASSWORD)
        _, started = srp_start(idp(pool), pool.client_id, "tina")
        assert len(started["Session"]) <= 2048 and len(mfa["Session"]) <= 2048


# --- a file that stays bounded -------------------------------------------------------------------------


def _count(path: Path, sql: str) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()
    finally:
        conn.close()


def test_the_file_uses_wal_and_keeps_the_newest_outbox_and_changes(tmp_path: Path) -> None:
    """With the real limits (OUTBOX_LIMIT messages, CHANGES_LIMIT change rows): a file that already holds
    that many gets 1,024 AdminCreateUser calls (each a message and a change); it then holds exactly as many,
    the newest, the oldest gone."""
    path = tmp_path / "pool.db"
    LocalUserPool(SEED, data=path).close()
    assert _count(path, "PRAGMA journal_mode")[0] == "wal"
    conn = sqlite3.connect(path)
    message = json.dumps({"pool_id": "us-east-1_Durable01", "username": "old", "medium": "EMAIL",
                          "destination": "old@example.com", "code": "000000", "purpose": "CONFIRM_SIGN_UP",
                          "sent_at": 0.0})
    conn.executemany("INSERT INTO outbox (data) VALUES (?)", [(message,)] * OUTBOX_LIMIT)
    conn.executemany("INSERT INTO changes (kind, key) VALUES ('revoked', 'old')", [()] * CHANGES_LIMIT)
    conn.commit()
    conn.close()
    first_message, first_change = _count(path, "SELECT max(seq) FROM outbox")[0], _count(
        path, "SELECT max(seq) FROM changes")[0]
    with LocalUserPool(SEED, data=path) as pool:
        client = idp(pool)
        for n in range(1024):
            client.admin_create_user(UserPoolId=pool.pool_id, Username=f"new{n}", DesiredDeliveryMediums=["EMAIL"],
                                     UserAttributes=[{"Name": "email", "Value": f"new{n}@example.com"}])
        assert pool.outbox()[-1].username == "new1023" and len(pool.outbox()) == OUTBOX_LIMIT
    assert _count(path, "SELECT count(*), min(seq) FROM outbox") == (OUTBOX_LIMIT, first_message - OUTBOX_LIMIT + 1025)
    count, oldest = _count(path, "SELECT count(*), min(seq) FROM changes")
    assert count == CHANGES_LIMIT and oldest > first_change - CHANGES_LIMIT + 1024
    assert _count(path, "SELECT count(*) FROM outbox WHERE data LIKE '%new1023@%'")[0] == 1
    assert _count(path, "PRAGMA journal_mode")[0] == "wal"


def test_expired_sessions_leave_the_file(tmp_path: Path) -> None:
    """A Session expired (more than a minute ago) is deleted from the file when the 256th Session after it is
    issued; live ones stay."""
    path = tmp_path / "pool.db"
    with LocalUserPool(SEED, data=path) as pool:
        client = idp(pool)
        password_auth(client, pool.client_id, "tina", PASSWORD)
        assert _count(path, "SELECT count(*) FROM sessions")[0] == 1
        pool.clock.advance(3 * 60 + 61)
        for _ in range(254):
            password_auth(client, pool.client_id, "tina", PASSWORD)
        now = pool.clock.now()
        assert _count(path, f"SELECT count(*) FROM sessions WHERE expires_at + 60 < {now}")[0] == 1  # not yet
        password_auth(client, pool.client_id, "tina", PASSWORD)  # the 256th
        assert _count(path, f"SELECT count(*) FROM sessions WHERE expires_at + 60 < {now}")[0] == 0
        assert _count(path, "SELECT count(*) FROM sessions")[0] == 255


# --- SIGKILL under load ------------------------------------------------------------------------------


def test_sigkill_under_load_loses_no_acknowledged_change(tmp_path: Path) -> None:
    path = tmp_path / "pool.db"
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(SEED))
    acknowledged: dict[str, str] = {}
    tokens: dict[str, str] = {}
    errors: list[Exception] = []
    for round_ in range(4):
        process = spawn("--seed", str(seed), "--data", str(path))
        try:
            info = first_line(process)
            endpoint, client_id = info["endpoint_url"], info["client_id"]
            stop = threading.Event()
            workers = [threading.Thread(target=_churn, args=(endpoint, client_id, f"r{round_}t{t}u", acknowledged,
                                                               tokens, stop, errors)) for t in range(3)]
            for worker in workers:
                worker.start()
            time.sleep(0.8 + 0.3 * round_)
            process.send_signal(signal.SIGKILL)
            stop.set()
            for worker in workers:
                worker.join(30)
        finally:
            finish(process, signal.SIGKILL)
    print(f"{len(acknowledged)} users, {len(tokens)} rotations acknowledged over 4 kills")
    assert not errors, errors
    assert len(acknowledged) >= 8, "the load did too little to show anything"
    with LocalUserPool(SEED, data=path) as pool:
        changed = [name for name in acknowledged if acknowledged[name] != PASSWORD]
        assert changed, "no password change was acknowledged"
        for name, password in acknowledged.items():
            record = pool.user(name).password
            # the acknowledged password, or the change in flight when the pool was killed (done, not answered)
            assert record is not None and (record.check(password) or record.check(password + "2")), name
        client = idp(pool)
        for name, token in tokens.items():  # each acknowledged rotation: its new token works
            assert client.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=token), name


def _churn(endpoint: str, client_id: str, prefix: str, acknowledged: dict[str, str], tokens: dict[str, str],
           stop: threading.Event, errors: list[Exception]) -> None:
    """Sign up and confirm (AdminConfirmSignUp), change the password, rotate the refresh token: each step
    recorded only once answered 200."""
    client = idp(endpoint)
    n = 0
    try:
        while not stop.is_set():
            n += 1
            name = f"{prefix}{n}"
            client.sign_up(ClientId=client_id, Username=name, Password=PASSWORD)
            client.admin_confirm_sign_up(UserPoolId="us-east-1_Durable01", Username=name)
            result = password_auth(client, client_id, name, PASSWORD)["AuthenticationResult"]
            acknowledged[name] = PASSWORD
            client.change_password(AccessToken=result["AccessToken"], PreviousPassword=PASSWORD,
                                   ProposedPassword=PASSWORD + "2")
            acknowledged[name] = PASSWORD + "2"
            rotated = client.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=result["RefreshToken"])
            tokens[name] = rotated["AuthenticationResult"]["RefreshToken"]
    except (BotoConnectionError, HTTPClientError):  # the pool was killed: the load ends
        return
    except Exception as exc:  # noqa: BLE001 - anything else is a failure the test reports
        errors.append(exc)


# --- files that cannot be used ------------------------------------------------------------------------


def _refused(path: Path, *extra: str) -> str:
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    process = spawn("--data", str(path), *extra)
    _, err = process.communicate(timeout=30)
    code = process.returncode
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    return lines[0]


def test_a_file_that_is_not_a_pool_database_is_refused_untouched(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my notes, not a database\n")
    assert "is not a local pool database" in _refused(text)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    conn.close()
    assert "another application" in _refused(other)


def test_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB)")
    conn.commit()
    conn.close()
    assert f"schema version {SCHEMA_VERSION + 1}" in _refused(path)


def test_an_older_schema_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "pool.db"
    with LocalUserPool(SEED, data=path):
        pass
    conn = sqlite3.connect(path)  # the file as schema 1 wrote it: without the index of schema 2
    conn.execute("DROP INDEX sessions_latest")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with LocalUserPool(SEED, data=path) as pool:
        assert pool.user("tina").totp_secret == TOTP_SECRET
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sessions_latest'").fetchone()[0] == 1
    conn.close()


def test_a_locked_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "pool.db"
    LocalUserPool(data=path).close()
    with LocalUserPool(data=path):  # another pool serves it
        assert "locked" in _refused(path)
    holder = sqlite3.connect(path, isolation_level=None)  # another program holds SQLite's lock
    holder.execute("BEGIN EXCLUSIVE")
    try:
        assert "locked" in _refused(path)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_workers_need_a_data_file() -> None:
    process = spawn("--workers", "2")
    _, err = process.communicate(timeout=30)
    code = process.returncode
    assert code == 2 and "--workers needs --data" in err
