// AWS Amplify JS v6 through the account lifecycle against the local pool: signUp -> resendSignUpCode ->
// confirmSignUp -> autoSignIn (USER_AUTH with ConfirmSignUp's Session), fetchAuthSession({forceRefresh})
// twice on an app client that rotates refresh tokens, resetPassword -> confirmResetPassword -> signIn.
// Env: POOL_ID, CLIENT_ID, ENDPOINT_URL, USERNAME, PASSWORD, NEW_PASSWORD. Prints one JSON line.
globalThis.navigator ??= { userAgent: "node" };
const { Amplify } = await import("aws-amplify");
const auth = await import("aws-amplify/auth");
const { env, lastCode, checker } = await import("./helpers.mjs");

const { results, check } = checker();
const username = env.USERNAME;
Amplify.configure({ Auth: { Cognito: { userPoolId: env.POOL_ID, userPoolClientId: env.CLIENT_ID,
                                       userPoolEndpoint: env.ENDPOINT_URL } } });
const signedInAs = async () => (await auth.fetchAuthSession()).tokens?.accessToken?.payload?.username ?? null;

await check("sign_up", async () => {
  const out = await auth.signUp({ username, password: env.PASSWORD, options: {
    userAttributes: { email: `${username}@example.com` }, autoSignIn: { authFlowType: "USER_AUTH" } } });
  return { complete: out.isSignUpComplete, step: out.nextStep.signUpStep,
           destination: out.nextStep.codeDeliveryDetails?.destination ?? null };
});
await check("resend_sign_up_code", async () => (await auth.resendSignUpCode({ username })).destination);
await check("confirm_sign_up", async () => {
  const out = await auth.confirmSignUp({ username, confirmationCode: await lastCode(username, "CONFIRM_SIGN_UP") });
  return out.nextStep.signUpStep;
});
await check("auto_sign_in", async () => {
  const out = await auth.autoSignIn();
  return { signedIn: out.isSignedIn, user: await signedInAs() };
});
await check("force_refresh_twice", async () => {
  const tokens = [(await auth.fetchAuthSession()).tokens.accessToken.toString()];
  for (let i = 0; i < 2; i++) {
    tokens.push((await auth.fetchAuthSession({ forceRefresh: true })).tokens.accessToken.toString());
  }
  return { distinct: new Set(tokens).size, user: await signedInAs() };
});
await auth.signOut();
await check("reset_password", async () => {
  const out = await auth.resetPassword({ username });
  return { step: out.nextStep.resetPasswordStep, destination: out.nextStep.codeDeliveryDetails?.destination ?? null };
});
await check("confirm_reset_password", async () => {
  await auth.confirmResetPassword({ username, confirmationCode: await lastCode(username, "RESET_PASSWORD"),
                                    newPassword: env.NEW_PASSWORD });
  return "done";
});
await check("sign_in_with_new_password", async () => {
  const out = await auth.signIn({ username, password: env.NEW_PASSWORD });
  return { signedIn: out.isSignedIn, user: await signedInAs() };
});
await auth.signOut().catch(() => undefined);
// signUp's autoSignIn leaves a 3-minute timer behind (Amplify's signUpHelpers): leave once the line is out.
process.stdout.write(JSON.stringify(results) + "\n", () => process.exit(0));
