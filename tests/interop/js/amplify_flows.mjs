// AWS Amplify JS v6 against the local pool: every sign-in flow Amplify has, and the account operations.
// Env: see tests/interop/world.py env(). Prints one JSON line {check: {ok, value | error}}.
globalThis.navigator ??= { userAgent: "node" };
const { Amplify } = await import("aws-amplify");
const auth = await import("aws-amplify/auth");
const { env, totp, lastCode, checker } = await import("./helpers.mjs");

const { results, check } = checker();
const pools = {
  main: [env.MAIN_POOL, env.MAIN_CLIENT],
  setup: [env.SETUP_POOL, env.SETUP_CLIENT],
  devices: [env.DEVICES_POOL, env.DEVICES_CLIENT],
};

async function use(pool) {
  await auth.signOut().catch(() => undefined);
  const [userPoolId, userPoolClientId] = pools[pool];
  Amplify.configure({ Auth: { Cognito: { userPoolId, userPoolClientId, userPoolEndpoint: env.ENDPOINT_URL } } });
}

async function signedInAs() {
  const session = await auth.fetchAuthSession();
  return session.tokens?.accessToken?.payload?.username ?? null;
}

async function steps(start, ...answers) {
  // signIn, then confirmSignIn with each answer (a value, or a function of the step); the steps seen.
  const seen = [];
  let result = await start;
  seen.push(result.nextStep.signInStep);
  for (const answer of answers) {
    const value = typeof answer === "function" ? await answer(result.nextStep) : answer;
    result = await auth.confirmSignIn({ challengeResponse: value });
    seen.push(result.nextStep.signInStep);
  }
  return { steps: seen, user: result.isSignedIn ? await signedInAs() : null };
}

const signIn = (username, authFlowType, extra = {}) =>
  auth.signIn({ username, password: env.PASSWORD, options: { authFlowType, ...extra } });

// --- sign-in flows ---------------------------------------------------------------------------------
await use("main");
await check("srp", () => steps(signIn("srp", "USER_SRP_AUTH")));
await use("main");
await check("user_password_auth", () => steps(signIn("password", "USER_PASSWORD_AUTH")));
await use("main");
await check("wrong_password", () => auth.signIn({ username: "password", password: "Wrong-passw0rd!" }));
await use("main");
await check("totp", () => steps(signIn("totp", "USER_SRP_AUTH"), () => totp(env.TOTP_SECRET)));
await use("main");
await check("sms", () => steps(signIn("sms", "USER_SRP_AUTH"), () => lastCode("sms", "SMS_MFA")));
await use("main");
await check("email_mfa", () => steps(signIn("emailmfa", "USER_PASSWORD_AUTH"), () => lastCode("emailmfa")));
await use("main");
await check("select_mfa", async () => {
  const start = await signIn("select", "USER_SRP_AUTH");
  const choices = start.nextStep.allowedMFATypes;
  const rest = await steps(Promise.resolve(start), "TOTP", () => totp(env.TOTP_SECRET));
  return { ...rest, choices };
});
await use("main");
await check("new_password", () => steps(signIn("newpassword", "USER_SRP_AUTH"), env.NEW_PASSWORD));
await use("main");
await check("custom_without_srp", () =>
  steps(auth.signIn({ username: "custom", options: { authFlowType: "CUSTOM_WITHOUT_SRP" } }), "4", "5"));
await use("main");
await check("custom_with_srp", () => steps(signIn("custom", "CUSTOM_WITH_SRP"), "5"));
await use("main");
await check("user_auth_choices", async () => {
  const start = await auth.signIn({ username: "userauth", options: { authFlowType: "USER_AUTH" } });
  const choices = start.nextStep.availableChallenges;
  const rest = await steps(Promise.resolve(start), "PASSWORD", env.PASSWORD);
  return { ...rest, choices };
});
await use("main");
await check("user_auth_password_srp", () =>
  steps(auth.signIn({ username: "userauth", options: { authFlowType: "USER_AUTH" } }), "PASSWORD_SRP",
        env.PASSWORD));
await use("main");
await check("user_auth_email_otp", () => steps(auth.signIn({ username: "userauth",
  options: { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" } }), () => lastCode("userauth", "EMAIL_OTP")));
await use("main");
await check("user_auth_sms_otp", () => steps(auth.signIn({ username: "userauth",
  options: { authFlowType: "USER_AUTH", preferredChallenge: "SMS_OTP" } }), () => lastCode("userauth", "SMS_OTP")));
await use("main");
await check("user_auth_password_preferred", () => steps(auth.signIn({ username: "userauth", password: env.PASSWORD,
  options: { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD" } })));
await use("setup");
await check("totp_setup", async () => {
  let secret;
  const result = await steps(signIn("totpsetup", "USER_SRP_AUTH"), "TOTP", (step) => {
    secret = step.totpSetupDetails.sharedSecret;
    return totp(secret);
  });
  return { ...result, secretLength: secret.length };
});
await use("setup");
await check("email_setup", () => steps(signIn("emailsetup", "USER_SRP_AUTH"), "EMAIL", "emailsetup@example.com",
  () => lastCode("emailsetup", "EMAIL_OTP")));

// --- a signed-in user's operations ---------------------------------------------------------------
await use("main");
await check("refresh", async () => {
  await signIn("refresh", "USER_SRP_AUTH");
  const before = (await auth.fetchAuthSession()).tokens.accessToken.payload;
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const after = (await auth.fetchAuthSession({ forceRefresh: true })).tokens.accessToken.payload;
  return { sameUser: before.username === after.username, newToken: before.jti !== after.jti,
           sameSignIn: before.origin_jti === after.origin_jti };
});
await check("sign_out_global", async () => {
  await auth.signOut({ global: true });
  return (await auth.fetchAuthSession()).tokens ?? null;
});
await use("main");
await signIn("account", "USER_SRP_AUTH");
await check("fetch_user_attributes", () => auth.fetchUserAttributes());
await check("update_email", () => auth.updateUserAttributes({ userAttributes: { email: "new@example.com", name: "Acc" } }));
await check("confirm_email", async () => {
  await auth.confirmUserAttribute({ userAttributeKey: "email", confirmationCode: await lastCode("account", "VERIFY_ATTRIBUTE") });
  const attributes = await auth.fetchUserAttributes();
  return { email: attributes.email, verified: attributes.email_verified };
});
await check("send_phone_code", () => auth.sendUserAttributeVerificationCode({ userAttributeKey: "phone_number" }));
await check("confirm_phone", async () => {
  await auth.confirmUserAttribute({ userAttributeKey: "phone_number",
                                    confirmationCode: await lastCode("account", "VERIFY_ATTRIBUTE") });
  return (await auth.fetchUserAttributes()).phone_number_verified;
});
await check("delete_attributes", async () => {
  await auth.deleteUserAttributes({ userAttributeKeys: ["name"] });
  return Object.keys(await auth.fetchUserAttributes()).sort();
});
await check("setup_totp", async () => {
  const details = await auth.setUpTOTP();
  await auth.verifyTOTPSetup({ code: totp(details.sharedSecret) });
  await auth.updateMFAPreference({ totp: "PREFERRED", sms: "ENABLED" });
  return auth.fetchMFAPreference();
});
await check("update_password", async () => {
  await auth.updatePassword({ oldPassword: env.PASSWORD, newPassword: env.NEW_PASSWORD });
  return "changed";
});
await check("delete_user", async () => {
  await auth.deleteUser();
  return signedInAs().catch((error) => error.name);
});

// --- devices -------------------------------------------------------------------------------------
await use("devices");
await check("device_first_sign_in", () => steps(signIn("device", "USER_SRP_AUTH"), () => totp(env.TOTP_SECRET)));
await check("remember_device", async () => {
  await auth.rememberDevice();
  return (await auth.fetchDevices()).map((d) => ({ id: d.id, remembered: d.attributes?.["dev:device_remembered_status"] }));
});
await check("device_srp_sign_in", async () => {
  await auth.signOut();
  return steps(signIn("device", "USER_SRP_AUTH"));
});
await check("forget_device", async () => {
  await auth.forgetDevice();
  return (await auth.fetchDevices()).length;
});
await auth.signOut().catch(() => undefined);
console.log(JSON.stringify(results));
