"""What the account and recovery tests share: the pool admin's reset of a lost authenticator, and
``authflow account`` run at a terminal."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path
from typing import Any

import boto3
import pexpect
import pyotp
import pytest
from botocore.config import Config

from authflow import UserPool, sign_in
from authflow.errors import CodeMismatchError
from authflow.localpool import LocalUserPool
from authflow.prompts import Prompt, PromptKind
from authflow.tokencache import CacheKey, TokenCache
from authflow.tokens import Tokens
from tests.helpers.cli import REPO, credential_free_env


def old_code_is_refused(pool: UserPool, username: str, password: str, old_secret: str) -> None:
    """A sign-in of ``username`` answering the authenticator's code with one of ``old_secret`` is refused
    (CodeMismatchError, at the first try)."""
    def answer(prompt: Prompt) -> str:
        if prompt.error is not None:
            raise prompt.error  # one try: the refusal
        return password if prompt.kind is PromptKind.PASSWORD else pyotp.TOTP(old_secret).now()

    with pytest.raises(CodeMismatchError):
        sign_in(pool, username, answer)


def reset_authenticator(local: LocalUserPool, username: str) -> None:
    """AdminDeleteSoftwareToken, as the pool's admin runs it (a signed call; the local pool takes any credentials)."""
    admin = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=local.endpoint_url,
                         aws_access_key_id="admin", aws_secret_access_key="admin",
                         config=Config(retries={"total_max_attempts": 1}))
    admin.admin_delete_software_token(UserPoolId=local.pool_id, Username=username)


class AccountTerminal:
    """``authflow account ARGS`` at a terminal (a pseudo-terminal, pexpect) for ``username``, whose sign-in
    (``tokens``, of ``pool_id``/``client_id``: the default pool's by default) is cached; no password in the env.
    ``run(*args)`` starts one; ``finish(child)`` waits for its end: (exit status, the account it printed or
    None, everything it showed without the terminal's escape sequences). ``close()`` ends what is left."""

    def __init__(self, local: LocalUserPool, tmp_path: Path, username: str, tokens: Tokens, *,
                 pool_id: str | None = None, client_id: str | None = None, endpoint_url: str | None = None) -> None:
        pool_id, client_id = pool_id or local.pool_id, client_id or local.client_id
        endpoint_url = endpoint_url or local.endpoint_url  # a proxy in front of the pool, when given
        self.env = credential_free_env(tmp_path, {
            "AUTHFLOW_POOL_ID": pool_id, "AUTHFLOW_CLIENT_ID": client_id,
            "AUTHFLOW_ENDPOINT_URL": endpoint_url, "AUTHFLOW_USERNAME": username,
            "PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm"})
        self.cache = TokenCache(Path(self.env["AUTHFLOW_CACHE_DIR"]))
        self.key = CacheKey(pool_id, client_id, username, endpoint_url)
        self.cache.store(self.key, tokens)
        self._children: list[Any] = []

    def run(self, *args: str) -> Any:
        child = pexpect.spawn(sys.executable, ["-m", "authflow", "account", *args], env=self.env, cwd=str(REPO),
                              encoding="utf-8", dimensions=(60, 120), timeout=30)
        child.logfile_read = io.StringIO()
        self._children.append(child)
        return child

    @staticmethod
    def finish(child: Any) -> tuple[int, dict[str, Any] | None, str]:
        child.expect(pexpect.EOF)
        child.close()
        shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", child.logfile_read.getvalue())
        printed = re.findall(r'(\{"Username".*\})\r?$', shown, re.M)
        return int(child.exitstatus), (json.loads(printed[-1]) if printed else None), shown

    def close(self) -> None:
        for child in self._children:
            if child.isalive():
                child.terminate(force=True)
