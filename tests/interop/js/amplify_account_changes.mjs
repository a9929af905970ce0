// AWS Amplify JS v6's account API against the local pool, on an account authflow also changes (the Python
// test checks the two agree): updatePassword, setUpTOTP -> verifyTOTPSetup, updateMFAPreference,
// fetchMFAPreference, updateUserAttributes -> confirmUserAttribute, sendUserAttributeVerificationCode,
// deleteUserAttributes, fetchUserAttributes, fetchDevices, signOut({global}), deleteUser.
// rememberDevice, forgetDevice.
// Env: POOL_ID, CLIENT_ID, ENDPOINT_URL, USERNAME, DELETE_USERNAME, PASSWORD, NEW_PASSWORD. Prints one JSON line.
globalThis.navigator ??= { userAgent: "node" };
const { Amplify } = await import("aws-amplify");
const auth = await import("aws-amplify/auth");
const { env, lastCode, checker, totp } = await import("./helpers.mjs");

const { results, check } = checker();
const username = env.USERNAME;
Amplify.configure({ Auth: { Cognito: { userPoolId: env.POOL_ID, userPoolClientId: env.CLIENT_ID,
                                       userPoolEndpoint: env.ENDPOINT_URL } } });

await check("sign_in", async () => (await auth.signIn({ username, password: env.PASSWORD })).isSignedIn);
await check("update_password", async () => {
  await auth.updatePassword({ oldPassword: env.PASSWORD, newPassword: env.NEW_PASSWORD });
  return "done";
});
let secret = null;
await check("set_up_totp", async () => {
  const details = await auth.setUpTOTP();
  secret = details.sharedSecret;
  return details.getSetupUri("AmplifyApp", username).protocol;
});
await check("verify_totp_setup", async () => {
  await auth.verifyTOTPSetup({ code: totp(secret), options: { friendlyDeviceName: "Amplify phone" } });
  return "done";
});
await check("update_mfa_preference", async () => {
  await auth.updateMFAPreference({ totp: "PREFERRED" });
  return await auth.fetchMFAPreference();
});
await check("update_user_attributes", async () => {
  const out = await auth.updateUserAttributes({ userAttributes: { email: `${username}@changed.example`,
                                                                  nickname: "Am" } });
  return { email: out.email.nextStep.updateAttributeStep, nickname: out.nickname.nextStep.updateAttributeStep };
});
await check("resend_attribute_code", async () =>
  (await auth.sendUserAttributeVerificationCode({ userAttributeKey: "email" })).destination);
await check("confirm_user_attribute", async () => {
  await auth.confirmUserAttribute({ userAttributeKey: "email",
                                    confirmationCode: await lastCode(username, "VERIFY_ATTRIBUTE") });
  const attributes = await auth.fetchUserAttributes();
  return { email: attributes.email, verified: attributes.email_verified };
});
await check("delete_user_attributes", async () => {
  await auth.deleteUserAttributes({ userAttributeKeys: ["nickname"] });
  return (await auth.fetchUserAttributes()).nickname ?? null;
});
const devices = async () => (await auth.fetchDevices())
  .map((d) => ({ name: d.name ?? null, remembered: d.attributes?.["dev:device_remembered_status"] ?? null }));
await check("fetch_devices", devices);  // the pool tracks devices when the user says so: this one is known
await check("remember_device", async () => {
  await auth.rememberDevice();
  return await devices();
});
await check("forget_device", async () => {
  await auth.forgetDevice();
  return await devices();
});
await check("sign_out_global", async () => {
  const access = (await auth.fetchAuthSession()).tokens.accessToken.toString();
  await auth.signOut({ global: true });
  // The access token Amplify held is revoked at the pool, not only dropped here.
  const reply = await fetch(env.ENDPOINT_URL, { method: "POST", body: JSON.stringify({ AccessToken: access }),
    headers: { "Content-Type": "application/x-amz-json-1.1",
               "X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser" } });
  const body = await reply.json();
  return { local: (await auth.fetchAuthSession()).tokens ?? null, status: reply.status,
           error: body.__type ?? null, message: body.message ?? null };
});
await check("delete_user", async () => {  // another user of the pool deletes their own account
  await auth.signIn({ username: env.DELETE_USERNAME, password: env.PASSWORD });
  await auth.deleteUser();
  return (await auth.fetchAuthSession()).tokens ?? null;
});
process.stdout.write(JSON.stringify({ secret, results }) + "\n", () => process.exit(0));
