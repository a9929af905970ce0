// amazon-cognito-identity-js against the local pool: its sign-in callbacks and its account operations.
// Env: see tests/interop/world.py env(). Prints one JSON line {check: {ok, value | error}}.
import cognito from "amazon-cognito-identity-js";
import { env, totp, lastCode, checker } from "./helpers.mjs";

const { CognitoUserPool, CognitoUser, AuthenticationDetails, CognitoUserAttribute, CognitoRefreshToken } = cognito;
const { results, check } = checker();
const pools = {
  main: new CognitoUserPool({ UserPoolId: env.MAIN_POOL, ClientId: env.MAIN_CLIENT, endpoint: env.ENDPOINT_URL }),
  setup: new CognitoUserPool({ UserPoolId: env.SETUP_POOL, ClientId: env.SETUP_CLIENT, endpoint: env.ENDPOINT_URL }),
  devices: new CognitoUserPool({ UserPoolId: env.DEVICES_POOL, ClientId: env.DEVICES_CLIENT,
                                 endpoint: env.ENDPOINT_URL }),
};
const user = (name, pool = "main") => new CognitoUser({ Username: name, Pool: pools[pool] });
const details = (name, password = env.PASSWORD) => new AuthenticationDetails({ Username: name, Password: password });
const call = (fn) => new Promise((resolve, reject) => fn((error, result) => (error ? reject(error) : resolve(result))));

/** Sign in, answering each callback with ``handlers[name](user, callbacks, ...args)``; the callbacks seen. */
function signIn(cognitoUser, authDetails, handlers = {}, method = "authenticateUser") {
  return new Promise((resolve, reject) => {
    const seen = [];
    const callbacks = {
      onSuccess: (session) => resolve({ seen, user: session.getAccessToken().payload.username }),
      onFailure: reject,
    };
    for (const [name, handler] of Object.entries(handlers)) {
      callbacks[name] = (...args) => {
        seen.push(name);
        Promise.resolve(handler(cognitoUser, callbacks, ...args)).catch(reject);
      };
    }
    cognitoUser[method](authDetails, callbacks);
  });
}

const withFlow = (cognitoUser, flow) => { cognitoUser.setAuthenticationFlowType(flow); return cognitoUser; };
const totpAnswer = (u, cb) => u.sendMFACode(totp(env.TOTP_SECRET), cb, "SOFTWARE_TOKEN_MFA");

// --- sign-in flows ---------------------------------------------------------------------------------
await check("srp", () => signIn(user("srp"), details("srp")));
await check("user_password_auth", () => signIn(withFlow(user("password"), "USER_PASSWORD_AUTH"), details("password")));
await check("wrong_password", () => signIn(user("password"), details("password", "Wrong-passw0rd!")));
await check("totp", () => signIn(user("totp"), details("totp"), { totpRequired: totpAnswer }));
await check("sms", () => signIn(user("sms"), details("sms"), {
  mfaRequired: async (u, cb) => u.sendMFACode(await lastCode("sms", "SMS_MFA"), cb) }));
await check("select_mfa", () => signIn(user("select"), details("select"), {
  selectMFAType: (u, cb) => u.sendMFASelectionAnswer("SOFTWARE_TOKEN_MFA", cb), totpRequired: totpAnswer }));
await check("new_password", () => signIn(user("newpassword"), details("newpassword"), {
  newPasswordRequired: (u, cb) => u.completeNewPasswordChallenge(env.NEW_PASSWORD, {}, cb) }));
await check("custom_without_srp", () => signIn(withFlow(user("custom"), "CUSTOM_AUTH"),
  new AuthenticationDetails({ Username: "custom" }),
  { customChallenge: (u, cb, params) => u.sendCustomChallengeAnswer(params.question === "2 + 3?" ? "5" : "?", cb) },
  "initiateAuth"));
await check("custom_with_srp", () => signIn(withFlow(user("custom"), "CUSTOM_AUTH"), details("custom"), {
  customChallenge: (u, cb) => u.sendCustomChallengeAnswer("5", cb) }));
await check("totp_setup", () => signIn(user("totpsetup", "setup"), details("totpsetup"), {
  mfaSetup: (u, cb) => u.associateSoftwareToken({
    associateSecretCode: (secret) => u.verifySoftwareToken(totp(secret), "interop", cb), onFailure: cb.onFailure }),
}));

// --- a signed-in user's operations ---------------------------------------------------------------
const account = user("account");
await check("sign_in_account", () => signIn(account, details("account")));
await check("get_user_attributes", async () =>
  Object.fromEntries((await call((cb) => account.getUserAttributes(cb))).map((a) => [a.getName(), a.getValue()])));
await check("update_attributes", () => call((cb) => account.updateAttributes(
  [new CognitoUserAttribute({ Name: "email", Value: "new@example.com" }),
   new CognitoUserAttribute({ Name: "name", Value: "Acc" })], cb)));
await check("verify_email", async () => {
  const code = await lastCode("account", "VERIFY_ATTRIBUTE");
  return new Promise((resolve, reject) => account.verifyAttribute("email", code, { onSuccess: resolve, onFailure: reject }));
});
await check("attribute_verification_code", () => new Promise((resolve, reject) =>
  account.getAttributeVerificationCode("phone_number", { onSuccess: resolve, onFailure: reject,
                                                         inputVerificationCode: resolve })));
await check("verify_phone", async () => {
  const code = await lastCode("account", "VERIFY_ATTRIBUTE");
  return new Promise((resolve, reject) =>
    account.verifyAttribute("phone_number", code, { onSuccess: resolve, onFailure: reject }));
});
await check("delete_attributes", () => call((cb) => account.deleteAttributes(["name"], cb)));
await check("attributes_after", async () =>
  Object.fromEntries((await call((cb) => account.getUserAttributes(cb))).map((a) => [a.getName(), a.getValue()])));
await check("enable_mfa", async () => {
  await call((cb) => account.enableMFA(cb));
  return call((cb) => account.getMFAOptions(cb));
});
await check("disable_mfa", async () => {
  await call((cb) => account.disableMFA(cb));
  return (await call((cb) => account.getUserData(cb, { bypassCache: true }))).UserMFASettingList ?? [];
});
await check("software_token", async () => {
  const secret = await new Promise((resolve, reject) =>
    account.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }));
  await new Promise((resolve, reject) =>
    account.verifySoftwareToken(totp(secret), "phone", { onSuccess: resolve, onFailure: reject }));
  await call((cb) => account.setUserMfaPreference(null, { Enabled: true, PreferredMfa: true }, cb));
  const data = await call((cb) => account.getUserData(cb, { bypassCache: true }));
  return { preferred: data.PreferredMfaSetting, list: data.UserMFASettingList };
});
await check("change_password", () => call((cb) => account.changePassword(env.PASSWORD, env.NEW_PASSWORD, cb)));
await check("refresh_session", async () => {
  const session = account.getSignInUserSession();
  const refreshed = await call((cb) => account.refreshSession(session.getRefreshToken(), cb));
  return { user: refreshed.getAccessToken().payload.username,
           newToken: refreshed.getAccessToken().getJwtToken() !== session.getAccessToken().getJwtToken() };
});
await check("revoke_token_sign_out", () => new Promise((resolve) => account.signOut(() => resolve("signed out"))));
const other = user("refresh");
await check("global_sign_out", async () => {
  await signIn(other, details("refresh"));
  const session = other.getSignInUserSession();
  await new Promise((resolve, reject) => other.globalSignOut({ onSuccess: resolve, onFailure: reject }));
  other.setSignInUserSession(session);  // the tokens it held, to show they no longer work
  return call((cb) => other.getUserData(cb, { bypassCache: true }));
});
await check("delete_user", async () => {
  const doomed = user("srp");
  await signIn(doomed, details("srp"));
  return call((cb) => doomed.deleteUser(cb));
});

// --- devices -------------------------------------------------------------------------------------
const device = user("device", "devices");
await check("device_first_sign_in", () => signIn(device, details("device"), { totpRequired: totpAnswer }));
await check("remember_device", async () => {
  await new Promise((resolve, reject) => device.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }));
  const listed = await new Promise((resolve, reject) => device.listDevices(10, null, { onSuccess: resolve, onFailure: reject }));
  return listed.Devices.map((d) => Object.fromEntries(d.DeviceAttributes.map((a) => [a.Name, a.Value])));
});
await check("device_srp_sign_in", () => signIn(user("device", "devices"), details("device")));
await check("forget_device", async () => {
  await new Promise((resolve, reject) => device.forgetDevice({ onSuccess: resolve, onFailure: reject }));
  const listed = await new Promise((resolve, reject) => device.listDevices(10, null, { onSuccess: resolve, onFailure: reject }));
  return listed.Devices.length;
});
console.log(JSON.stringify(results));
