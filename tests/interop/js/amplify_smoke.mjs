// Smoke check of the harness: AWS Amplify JS v6 signs a demo user in (SRP) against the local pool.
// Env: POOL_ID, CLIENT_ID, ENDPOINT_URL, USERNAME, PASSWORD. Prints one JSON line.
globalThis.navigator ??= { userAgent: "node" };
const { Amplify } = await import("aws-amplify");
const { signIn, fetchAuthSession, signOut } = await import("aws-amplify/auth");

Amplify.configure({
  Auth: { Cognito: { userPoolId: process.env.POOL_ID, userPoolClientId: process.env.CLIENT_ID,
                     userPoolEndpoint: process.env.ENDPOINT_URL } },
});
const result = await signIn({ username: process.env.USERNAME, password: process.env.PASSWORD });
const session = await fetchAuthSession();
console.log(JSON.stringify({ nextStep: result.nextStep.signInStep, isSignedIn: result.isSignedIn,
                             sub: session.tokens?.idToken?.payload?.sub ?? null,
                             username: session.tokens?.accessToken?.payload?.username ?? null }));
await signOut();
