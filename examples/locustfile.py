"""Load-test what sits behind Cognito: every simulated user signs in (SRP, then whatever MFA the user has),
then calls GetUser with its access token every second or so; tokens are refreshed before they expire.

Against the local pool, with the same AUTHFLOW_* configuration as ``authflow login``:

    authflow local-pool --seed seed.json          # prints endpoint_url, pool_id, client_id
    export AUTHFLOW_ENDPOINT_URL=http://127.0.0.1:PORT AUTHFLOW_POOL_ID=... AUTHFLOW_CLIENT_ID=...
    locust -f examples/locustfile.py --headless -u 200 -r 50 -t 60s \\
        --cognito-users users.json --sign-ins-per-second 40

``users.json`` is the users file of ``authflow login --users`` (username, password, totp_secret, ...).
Distributed: the same command with ``--master --expect-workers 2`` once, and ``--worker`` twice (or
``--processes 2``). Without ``--cognito-users`` every simulated user signs in as AUTHFLOW_USERNAME.
"""

from __future__ import annotations

from locust import between, task

from authflow.locust import CognitoUser


class ApiUser(CognitoUser):
    wait_time = between(0.5, 1.5)

    @task
    def who_am_i(self) -> None:
        self.cognito_call("get_user", AccessToken=self.tokens.access_token)
