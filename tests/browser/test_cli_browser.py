"""``authflow login --browser`` and ``authflow token --client-credentials`` as the command-line contract says,
run as ``python -m authflow`` against one local pool (its managed login on the same port)."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pexpect
import pytest

from authflow.localpool import LocalUserPool
from tests.browser.helpers import API, MACHINE, MACHINE_SECRET, WEB, WebClient, seed
from tests.helpers.cli import (
    REPO,
    assert_no_secret,
    assert_one_line_error,
    at_a_terminal,
    credential_free_env,
    run_cli,
)


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalUserPool]:
    with LocalUserPool(seed()) as started:
        yield started


def env_for(pool: LocalUserPool, tmp_path: Path, client_id: str = WEB, **extra: str) -> dict[str, str]:
    return credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": client_id,
        "AUTHFLOW_ENDPOINT_URL": pool.endpoint_url, **extra,
    })


def test_login_browser_prints_and_caches_the_tokens(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path, BROWSER=f"{sys.executable} -m tests.browser.robot_browser %s",
                  ROBOT_USERNAME="alice", ROBOT_PASSWORD="Alice-Passw0rd!")
    done = run_cli(["login", "--browser", "--scope", "openid email aws.cognito.signin.user.admin"], env, timeout=60)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"AccessToken", "IdToken", "RefreshToken", "ExpiresIn", "TokenType"}
    assert "Opening the browser" in done.stderr
    assert_no_secret([done.stderr], [result["AccessToken"], result["RefreshToken"], "Alice-Passw0rd!"])
    # cached as login caches: `authflow token` hands out the same access token
    again = run_cli(["token", "--username", "alice", "--non-interactive"], env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == result["AccessToken"]


def test_login_browser_keeps_the_tokens_for_the_user_who_signed_in(pool: LocalUserPool, tmp_path: Path) -> None:
    """--username alice, but lou signs in in the browser: the tokens are kept for lou, and it is said (they were kept
    as alice's, and `authflow token --username alice` printed lou's token). An alias of the user is kept as given."""
    env = env_for(pool, tmp_path, BROWSER=f"{sys.executable} -m tests.browser.robot_browser %s",
                  ROBOT_USERNAME="lou", ROBOT_PASSWORD="Lou-Passw0rd!")
    done = run_cli(["login", "--browser", "--username", "alice", "--output", "access-token"], env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "the browser signed in lou, not alice: the tokens are kept for lou" in done.stderr
    assert run_cli(["token", "--username", "alice", "--non-interactive"], env).returncode == 2  # nothing of alice's
    lous = run_cli(["token", "--username", "lou", "--non-interactive"], env)
    assert lous.returncode == 0 and lous.stdout == done.stdout
    env = {**env, "ROBOT_USERNAME": "alice", "ROBOT_PASSWORD": "Alice-Passw0rd!"}
    done = run_cli(["login", "--browser", "--username", "alice@example.com", "--output", "access-token"], env,
                   timeout=60)
    assert done.returncode == 0 and "the browser signed in" not in done.stderr, done.stderr
    again = run_cli(["token", "--username", "alice@example.com", "--non-interactive"], env)
    assert again.returncode == 0 and again.stdout == done.stdout


def test_login_no_browser_reads_the_redirected_address(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "authflow", "login", "--browser", "--no-browser", "--redirect-port", "8123",
         "--output", "access-token", "--no-cache"],
        env=env, cwd=str(REPO), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None and process.stdin is not None
    url = ""
    while not url.startswith("http"):
        line = process.stderr.readline()
        assert line, "no URL was printed"
        url = line.strip()
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A8123%2Fcallback" in url
    web = WebClient(pool.endpoint_url)
    redirected = web.submit(web.get(web.get(url).location), username="alice", password="Alice-Passw0rd!").location
    out, err = process.communicate(redirected + "\n", timeout=60)
    assert process.returncode == 0, err
    assert out.count(".") == 2  # one JWT


def test_login_bad_input(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path)
    malformed = run_cli(["login", "--browser", "--no-browser"], env, stdin="this is not it\n")
    assert malformed.returncode == 2
    assert "MalformedPaste" in malformed.stderr.splitlines()[-1] and "Traceback" not in malformed.stderr
    ended = run_cli(["login", "--browser", "--no-browser"], env, stdin="")
    assert ended.returncode == 130
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        taken = run_cli(["login", "--browser", "--redirect-port", port], env)
    assert taken.returncode == 2
    assert_one_line_error(taken, contains="RedirectPortBusy")
    no_domain = run_cli(["login", "--browser"], credential_free_env(tmp_path, {
        "AUTHFLOW_POOL_ID": pool.pool_id, "AUTHFLOW_CLIENT_ID": WEB}))
    assert no_domain.returncode == 2
    assert_one_line_error(no_domain, contains="--domain")
    bad_port = run_cli(["login", "--browser", "--redirect-port", "99999"], env)
    assert bad_port.returncode == 2


def test_a_browser_that_never_comes_back_times_out_with_one_line(pool: LocalUserPool, tmp_path: Path) -> None:
    """Nobody finishes the sign-in in the browser (BROWSER=true opens nothing): after the wait, BrowserTimeout,
    exit 1, said in one line after the address. The wait is five minutes unless --browser-timeout or
    AUTHFLOW_BROWSER_TIMEOUT says otherwise; a wait that is not a number of seconds is a usage error."""
    import time

    from authflow.browser import DEFAULT_TIMEOUT, BrowserSignIn
    from authflow.cli import build_parser

    assert DEFAULT_TIMEOUT == 300.0 and BrowserSignIn(domain="http://d", pool_id="p", client_id="c").timeout == 300.0
    assert build_parser().parse_args(["login", "--browser"]).browser_timeout is None  # BrowserSignIn's own wait
    for how, env in ((["--browser-timeout", "1.5"], env_for(pool, tmp_path, BROWSER="true")),
                     ([], env_for(pool, tmp_path, BROWSER="true", AUTHFLOW_BROWSER_TIMEOUT="1.5"))):
        started = time.monotonic()
        done = run_cli(["login", "--browser", "--no-cache", *how], env, timeout=60)
        waited = time.monotonic() - started
        assert done.returncode == 1, done.stderr
        lines = done.stderr.splitlines()
        assert lines[0].startswith("authflow: Opening the browser") and "/oauth2/authorize?" in lines[1], lines
        said = lines[2:]  # after the address: the one line of the failure
        assert len(said) == 1 and said[0].startswith("authflow: "), done.stderr
        assert "(BrowserTimeout)." in said[0] and "1.5 s" in said[0], said
        assert "too slowly" not in said[0] and "--browser-timeout" in said[0], said  # not a slow server's hint
        assert "Traceback" not in done.stderr and done.stdout == ""
        assert 1.5 <= waited < 30, waited
    for bad in ("soon", "0", "-3", "inf"):
        refused = run_cli(["login", "--browser", "--browser-timeout", bad], env_for(pool, tmp_path, BROWSER="true"))
        assert refused.returncode == 2, refused.stderr
        assert_one_line_error(refused, contains="--browser-timeout")


PASTE_PROMPT = r"Paste the address the browser was sent to \(or the code\), then Enter: "
AUTHORIZE_URL = r"(http://127\.0\.0\.1:\d+/oauth2/authorize\?\S+)\r?\n"


def paste_at_a_terminal(pool: LocalUserPool, tmp_path: Path, *extra: str) -> tuple[Any, str]:
    """``login --browser --no-browser`` at a pseudo-terminal: the child, once it asks, and the address it printed."""
    child = at_a_terminal(["login", "--browser", "--no-browser", "--output", "access-token", "--no-cache", *extra],
                          env_for(pool, tmp_path))
    child.expect(AUTHORIZE_URL)
    url = str(child.match.group(1))
    child.expect(PASTE_PROMPT)
    return child, url


def with_query(url: str, **changes: str | None) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update({k: v for k, v in changes.items() if v is not None})
    for name in [k for k, v in changes.items() if v is None]:
        query.pop(name, None)
    return parts._replace(query=urlencode(query)).geturl()


def said_and_asked_again(child: Any, pasted: str, code: str) -> str:
    """Paste one wrong answer: one line says what was wrong (naming ``code``), then the prompt again."""
    child.sendline(pasted)
    child.expect(PASTE_PROMPT)
    lines = [line for line in str(child.before).splitlines() if line.strip()]
    assert lines[0].strip() == pasted.strip()  # the terminal's echo of the paste
    assert len(lines) == 2, lines  # then exactly one line
    assert re.fullmatch(rf"authflow: .+ \({re.escape(code)}\)\. .*Try again \(Ctrl-C to stop\)\.", lines[1]), lines
    assert "Traceback" not in str(child.before)
    return lines[1]


def test_at_a_terminal_a_wrong_paste_is_said_and_asked_again(pool: LocalUserPool, tmp_path: Path) -> None:
    child, url = paste_at_a_terminal(pool, tmp_path)
    try:
        web = WebClient(pool.endpoint_url)
        redirected = web.submit(web.get(web.get(url).location), username="alice", password="Alice-Passw0rd!").location
        assert "code=" in redirected
        said_and_asked_again(child, "this is not it", "MalformedPaste")
        assert "address to open" in said_and_asked_again(child, url, "MalformedPaste")  # the printed one itself
        said_and_asked_again(child, with_query(redirected, state="someone-else"), "StateMismatch")
        said_and_asked_again(child, with_query(redirected, code=None), "MalformedPaste")  # no code
        said_and_asked_again(child, redirected + "&code=again", "invalid_request")  # a parameter twice
        # an error redirect of another sign-in (another state, or none): not this one's answer
        said_and_asked_again(child, with_query(redirected, code=None, state="old-tab", error="access_denied"),
                             "StateMismatch")
        said_and_asked_again(child, "http://127.0.0.1:1/callback?error=server_error", "StateMismatch")
        said_and_asked_again(child, "notthecode123", "MalformedPaste")  # a bare code the pool does not take
        # the real address still signs in: the same sign-in, the same code
        child.sendline(redirected)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        token = str(child.before).split()[-1]
        assert token.count(".") == 2 and "Traceback" not in str(child.before)
    finally:
        child.close(force=True)


@pytest.mark.parametrize(("key", "said"), [("\x04", "the input ended"), ("\x03", "interrupted")],
                         ids=["ctrl-d", "ctrl-c"])
def test_at_a_terminal_ctrl_d_and_ctrl_c_still_end_it(pool: LocalUserPool, tmp_path: Path, key: str,
                                                      said: str) -> None:
    child, _ = paste_at_a_terminal(pool, tmp_path)
    try:
        said_and_asked_again(child, "%%%=&&", "MalformedPaste")
        child.send(key)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130, child.before
        assert said in str(child.before) and "Traceback" not in str(child.before)
    finally:
        child.close(force=True)


def test_ctrl_c_while_waiting_for_the_browser_is_not_said_to_be_at_a_prompt(pool: LocalUserPool,
                                                                           tmp_path: Path) -> None:
    """Ctrl-C while the command waits for the browser's redirect: exit 130, "interrupted" (it said "interrupted at a
    prompt", and there was none)."""
    child = at_a_terminal(["login", "--browser", "--no-cache"], {**env_for(pool, tmp_path), "BROWSER": "true"})
    try:
        child.expect_exact("Opening the browser")
        child.expect_exact("code_challenge_method=S256")
        child.send("\x03")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130, child.before
        said = " ".join(str(child.before).split())
        assert "authflow: interrupted (Cancelled)." in said and "at a prompt" not in said
        assert str(child.before).count("authflow: ") == 1, child.before  # one line, no traceback
        assert "Traceback" not in str(child.before)
    finally:
        child.close(force=True)


def test_at_a_terminal_non_interactive_asks_nothing_again(pool: LocalUserPool, tmp_path: Path) -> None:
    child, _ = paste_at_a_terminal(pool, tmp_path, "--non-interactive")
    try:
        child.sendline("this is not it")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 2, child.before
        assert "(MalformedPaste)." in str(child.before) and "Try again" not in str(child.before)
    finally:
        child.close(force=True)


def test_at_a_terminal_the_providers_refusal_ends_it(pool: LocalUserPool, tmp_path: Path) -> None:
    """The person refuses at the federated provider: the pool sends the browser back with error=access_denied
    and this sign-in's state. That is the answer: the sign-in ends with it in one line (exit 1)."""
    child, url = paste_at_a_terminal(pool, tmp_path, "--idp", "LocalOIDC")
    try:
        web = WebClient(pool.endpoint_url)
        at_provider = web.get(url).location
        assert "/_local/oidc/" in at_provider
        provider_state = parse_qs(urlsplit(at_provider).query)["state"][0]
        back = web.get("/oauth2/idpresponse?" + urlencode({"state": provider_state, "error": "access_denied"}))
        refused = back.location
        assert "error=access_denied" in refused and "state=" in refused
        child.sendline(refused)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 1, child.before
        lines = [line for line in str(child.before).splitlines() if line.strip()]
        assert lines[0].strip() == refused  # the echo
        assert len(lines) == 2 and "(access_denied)." in lines[1] and "did not sign you in" in lines[1], lines
        assert "Try again" not in lines[1]
    finally:
        child.close(force=True)


def test_token_client_credentials_cached(pool: LocalUserPool, tmp_path: Path) -> None:
    env = env_for(pool, tmp_path, MACHINE, AUTHFLOW_CLIENT_SECRET=MACHINE_SECRET)
    pool.clear_requests()
    first = run_cli(["token", "--client-credentials", "--scope", f"{API}/read"], env)
    assert first.returncode == 0, first.stderr
    second = run_cli(["token", "--client-credentials", "--scope", f"{API}/read"], env)
    assert second.stdout == first.stdout  # from the cache
    assert len(pool.requests("GetClientToken")) == 1  # no domain given: the API operation, once
    assert_no_secret([first.stderr, second.stderr], [MACHINE_SECRET])
    by_domain = run_cli(["token", "--client-credentials", "--domain", pool.endpoint_url], env)
    assert by_domain.returncode == 0 and by_domain.stdout.count(".") == 2
    files = list((tmp_path / "authflow-cache" / "tokens").glob("*.json"))
    assert files and all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    no_secret = run_cli(["token", "--client-credentials"], env_for(pool, tmp_path, MACHINE))
    assert no_secret.returncode == 2
    assert_one_line_error(no_secret, contains="secret")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{closed.getsockname()[1]}"
    unreachable = run_cli(["token", "--client-credentials", "--domain", nowhere, "--scope", f"{API}/write"], env)
    assert unreachable.returncode == 1
    assert_one_line_error(unreachable, contains="Check the network, and --domain (AUTHFLOW_DOMAIN).")
    wrong_scope = run_cli(["token", "--client-credentials", "--domain", pool.endpoint_url, "--scope", "openid"], env)
    assert wrong_scope.returncode == 1
    assert_one_line_error(wrong_scope, contains="invalid_scope")


def test_token_client_credentials_prints_as_authflow_token_does(pool: LocalUserPool, tmp_path: Path) -> None:
    """--output json gives {"AccessToken", "ExpiresAt", "ExpiresIn"} as for a user's token (it printed the bare
    token whatever --output said)."""
    env = env_for(pool, tmp_path, MACHINE, AUTHFLOW_CLIENT_SECRET=MACHINE_SECRET)
    bare = run_cli(["token", "--client-credentials"], env)
    assert bare.returncode == 0, bare.stderr
    shown = run_cli(["token", "--client-credentials", "--output", "json"], env)
    assert shown.returncode == 0, shown.stderr
    answer = json.loads(shown.stdout)
    assert set(answer) == {"AccessToken", "ExpiresAt", "ExpiresIn"} and answer["AccessToken"] == bare.stdout.strip()
    assert answer["ExpiresAt"].endswith("Z") and 0 < answer["ExpiresIn"] <= 3600
    access = run_cli(["token", "--client-credentials", "--output", "access-token"], env)
    assert access.returncode == 0 and access.stdout == bare.stdout
    no_id = run_cli(["token", "--client-credentials", "--output", "id-token"], env)
    assert no_id.returncode == 2
    assert_one_line_error(no_id, contains="access token only")


def test_a_client_secret_botocore_refuses_is_said_whole(pool: LocalUserPool, tmp_path: Path) -> None:
    """A secret shorter than the API allows fails botocore's parameter validation before any call: the line
    says which parameter and why (it said only "parameter validation failed:"), and never the value."""
    short = "wrong"
    env = env_for(pool, tmp_path, MACHINE, AUTHFLOW_CLIENT_SECRET=short)
    done = run_cli(["token", "--client-credentials"], env)
    assert done.returncode == 1, done.stderr
    assert_one_line_error(done, contains="invalid length for parameter")
    assert "min length" in done.stderr and "(ParamValidationError)" in done.stderr
    assert_no_secret([done.stdout, done.stderr], [short])


def test_login_browser_at_a_domain_where_nothing_listens_fails_at_once(pool: LocalUserPool, tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    opened = tmp_path / "opened"
    # the "browser" would leave a mark: it must never be started for a domain that cannot be reached
    env = env_for(pool, tmp_path, BROWSER=f"{sys.executable} -c \"open({str(opened)!r}, 'w')\" %s")
    for extra in ([], ["--no-browser"]):
        done = run_cli(["login", "--browser", "--domain", dead, *extra], env, timeout=30)
        assert done.returncode == 1, done.stderr
        assert_one_line_error(done, contains="EndpointConnectionError")
        assert "--domain" in done.stderr and "cannot reach" in done.stderr
        assert "http" not in done.stderr.replace(dead, "")  # no authorization URL was shown
    assert not opened.exists()


def test_at_a_terminal_the_summary_names_the_browser_command_that_was_run(pool: LocalUserPool,
                                                                         tmp_path: Path) -> None:
    """No --output at a terminal: a summary, whose "how to get the tokens" is the command that was run with
    --output json (a plain `authflow login --output json` would sign in with a password, not the browser)."""
    child = at_a_terminal(["login", "--browser", "--no-browser", "--redirect-port", "8124", "--no-cache"],
                          env_for(pool, tmp_path))
    try:
        child.expect(AUTHORIZE_URL)
        url = str(child.match.group(1))
        child.expect(PASTE_PROMPT)
        web = WebClient(pool.endpoint_url)
        redirected = web.submit(web.get(web.get(url).location), username="alice", password="Alice-Passw0rd!").location
        child.sendline(redirected)
        child.expect(pexpect.EOF)
        said = " ".join(str(child.before).split())
    finally:
        child.close(force=True)
    assert "Signed in as" in said, said
    assert ("`authflow login --browser --no-browser --redirect-port 8124 --no-cache --output json` prints the "
            "tokens") in said, said
    assert "eyJ" not in said
