#!/usr/bin/env bash
# A CI job that signs test users in from the shell: start a local pool, sign several users in at once,
# read one JSON line per user.   bash examples/ci_many_users.sh
set -euo pipefail
if ! command -v authflow >/dev/null; then
  echo "ci_many_users.sh: the authflow command is not on PATH: run PATH=\"\$PWD/.venv/bin:\$PATH\" bash $0 (or activate the venv)" >&2
  exit 127
fi
workdir=$(mktemp -d)
pool_pid=
trap '[ -n "$pool_pid" ] && kill "$pool_pid" 2>/dev/null; rm -rf "$workdir"' EXIT

authflow local-pool --quiet > "$workdir/pool.json" &
pool_pid=$!
for _ in $(seq 50); do [ -s "$workdir/pool.json" ] && break; sleep 0.1; done
if [ ! -s "$workdir/pool.json" ]; then
  echo "ci_many_users.sh: authflow local-pool did not start within 5 s" >&2
  exit 1
fi
read -r endpoint pool_id client_id < <(python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).readline()); print(d["endpoint_url"], d["pool_id"], d["client_id"])' "$workdir/pool.json")

# SMS codes are read from the pool's outbox by a command: it gets AUTHFLOW_USERNAME and AUTHFLOW_CHALLENGE.
cat > "$workdir/code.sh" <<SH
#!/bin/sh
python3 -c 'import json,os,urllib.request; print(json.load(urllib.request.urlopen("$endpoint/_local/outbox?username=" + os.environ["AUTHFLOW_USERNAME"]))[-1]["code"])'
SH
chmod +x "$workdir/code.sh"

cat > "$workdir/users.json" <<JSON
[
  {"username": "alice", "password": "Alice-Passw0rd!"},
  {"username": "tina", "password": "Tina-Passw0rd!", "totp_secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"},
  {"username": "sam", "password": "Sam-Passw0rd!", "code_command": "$workdir/code.sh"}
]
JSON

AUTHFLOW_ENDPOINT_URL=$endpoint AUTHFLOW_POOL_ID=$pool_id AUTHFLOW_CLIENT_ID=$client_id \
  authflow login --users "$workdir/users.json" --no-cache \
  | python3 -c 'import json,sys; [print(d["username"], "ok" if "AuthenticationResult" in d else d["error"]["code"]) for d in map(json.loads, sys.stdin)]'
