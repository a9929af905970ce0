// AWS Amplify JS v6's own passkey code against the local pool, with navigator.credentials provided by a
// small node:crypto authenticator (test_authenticator.mjs): associateWebAuthnCredential, then signIn with
// WEB_AUTHN (preferred, and chosen at first-factor selection), listWebAuthnCredentials,
// deleteWebAuthnCredential, and a sign-in after the delete.
// Env: POOL_ID, CLIENT_ID, ENDPOINT_URL, USERNAME, PASSWORD, ORIGIN. Prints one JSON line {check: {ok, value | error}}.
import { installAuthenticator } from "./test_authenticator.mjs";
const { env, checker } = await import("./helpers.mjs");

const authenticator = installAuthenticator(env.ORIGIN);
const { Amplify } = await import("aws-amplify");
const auth = await import("aws-amplify/auth");
Amplify.configure({ Auth: { Cognito: { userPoolId: env.POOL_ID, userPoolClientId: env.CLIENT_ID,
                                       userPoolEndpoint: env.ENDPOINT_URL } } });
const { results, check } = checker();
const signedInAs = async () => (await auth.fetchAuthSession()).tokens?.accessToken?.payload?.username ?? null;

await check("associate", async () => {
  await auth.signIn({ username: env.USERNAME, password: env.PASSWORD, options: { authFlowType: "USER_SRP_AUTH" } });
  await auth.associateWebAuthnCredential();
  await auth.signOut();
  return authenticator.used.length;
});
await check("sign_in_preferred", async () => {
  const result = await auth.signIn({ username: env.USERNAME,
                                     options: { authFlowType: "USER_AUTH", preferredChallenge: "WEB_AUTHN" } });
  return { step: result.nextStep.signInStep, user: await signedInAs(), used: authenticator.used.length };
});
await auth.signOut();
await check("sign_in_selected", async () => {
  const first = await auth.signIn({ username: env.USERNAME, options: { authFlowType: "USER_AUTH" } });
  const offered = first.nextStep.availableChallenges ?? [];
  const result = await auth.confirmSignIn({ challengeResponse: "WEB_AUTHN" });
  return { first: first.nextStep.signInStep, offered, step: result.nextStep.signInStep, user: await signedInAs(),
           used: authenticator.used.length };
});
let credentialId = null;
await check("list", async () => {
  const { credentials } = await auth.listWebAuthnCredentials();
  credentialId = credentials[0]?.credentialId ?? null;
  return credentials.map((c) => ({ relyingPartyId: c.relyingPartyId, authenticatorAttachment: c.authenticatorAttachment,
                                   transports: c.authenticatorTransports, hasDate: c.createdAt instanceof Date }));
});
await check("delete", async () => {
  await auth.deleteWebAuthnCredential({ credentialId });
  return (await auth.listWebAuthnCredentials()).credentials.length;
});
await auth.signOut();
await check("offered_after_delete", async () => {
  const first = await auth.signIn({ username: env.USERNAME, options: { authFlowType: "USER_AUTH" } });
  return first.nextStep.availableChallenges ?? [];
});
console.log(JSON.stringify(results));
