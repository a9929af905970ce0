// amazon-cognito-identity-js for benchmarks/bench_totp_signin.py: reads one JSON user per stdin line
// ({username, password, totp_secret}), signs in with USER_SRP_AUTH + SOFTWARE_TOKEN_MFA, and prints one JSON
// line {ok, cpu_ms, error?}: this process's CPU (user + system) for that sign-in. Env: ENDPOINT_URL, POOL_ID,
// CLIENT_ID. Uses the pinned copy in tests/interop/node_modules (npm ci --prefix tests/interop).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { totp } from "../tests/interop/js/helpers.mjs";

const require = createRequire(new URL("../tests/interop/package.json", import.meta.url));
const { CognitoUserPool, CognitoUser, AuthenticationDetails } = require("amazon-cognito-identity-js");
const pool = new CognitoUserPool({
  UserPoolId: process.env.POOL_ID, ClientId: process.env.CLIENT_ID, endpoint: process.env.ENDPOINT_URL,
});

function signIn({ username, password, totp_secret: secret }) {
  return new Promise((resolve, reject) => {
    const user = new CognitoUser({ Username: username, Pool: pool });
    const callbacks = {
      onSuccess: (session) => resolve(session.getAccessToken().getJwtToken()),
      onFailure: reject,
      totpRequired: () => user.sendMFACode(totp(secret), callbacks, "SOFTWARE_TOKEN_MFA"),
    };
    user.authenticateUser(new AuthenticationDetails({ Username: username, Password: password }), callbacks);
  });
}

for await (const line of createInterface({ input: process.stdin })) {
  const before = process.cpuUsage();
  let reply;
  try {
    const token = await signIn(JSON.parse(line));
    reply = { ok: Boolean(token) };
  } catch (error) {
    reply = { ok: false, error: `${error?.name ?? "Error"}: ${error?.message ?? error}` };
  }
  const used = process.cpuUsage(before);
  process.stdout.write(JSON.stringify({ ...reply, cpu_ms: (used.user + used.system) / 1000 }) + "\n");
}
