// A small WebAuthn platform authenticator for Node, written with node:crypto: it stands in for the
// browser's navigator.credentials (create/get) so that Amplify's own passkey code runs unchanged.
// ES256 keys in memory, "none" attestation, user verification claimed, a counter per credential, and the
// client data signed for window.location.origin.
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";

const sha256 = (data) => createHash("sha256").update(data).digest();
const b64url = (data) => Buffer.from(data).toString("base64url");
const arrayBuffer = (data) => Uint8Array.from(data).buffer;
const bytes = (value) => Buffer.from(value instanceof ArrayBuffer ? new Uint8Array(value) : value);

// CBOR, only what an attestation object needs: small ints, byte and text strings, maps.
function head(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  const b = Buffer.alloc(3); b[0] = (major << 5) | 25; b.writeUInt16BE(n, 1); return b;
}
function cbor(value) {
  if (typeof value === "number") return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === "string") { const b = Buffer.from(value); return Buffer.concat([head(3, b.length), b]); }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  const entries = value instanceof Map ? [...value] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

class AuthenticatorResponse {}
export class AuthenticatorAttestationResponse extends AuthenticatorResponse {}
export class AuthenticatorAssertionResponse extends AuthenticatorResponse {}
export class PublicKeyCredential {
  constructor(id, response, attachment = "platform") {
    this.id = b64url(id); this.rawId = arrayBuffer(id); this.type = "public-key";
    this.response = response; this.authenticatorAttachment = attachment;
  }
  getClientExtensionResults() { return {}; }
}

export function installAuthenticator(origin) {
  const credentials = new Map(); // id (base64url) -> {rpId, privateKey, userHandle, counter}
  const authData = (rpId, flags, counter, extra = Buffer.alloc(0)) => {
    const count = Buffer.alloc(4); count.writeUInt32BE(counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, extra]);
  };
  const clientData = (type, challenge) =>
    Buffer.from(JSON.stringify({ type, challenge: b64url(bytes(challenge)), origin, crossOrigin: false }));

  const authenticator = {
    used: [],
    async create({ publicKey: options }) {
      if (!options.pubKeyCredParams.some((p) => p.alg === -7)) throw new DOMException("no ES256", "NotSupportedError");
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      const jwk = publicKey.export({ format: "jwk" });
      const id = randomBytes(32);
      const rpId = options.rp.id ?? new URL(origin).hostname;
      credentials.set(b64url(id), { rpId, privateKey, userHandle: bytes(options.user.id), counter: 0 });
      const coseKey = cbor(new Map([[1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x, "base64url")],
                                    [-3, Buffer.from(jwk.y, "base64url")]]));
      const idLength = Buffer.alloc(2); idLength.writeUInt16BE(id.length);
      const data = authData(rpId, 0x45, 0, Buffer.concat([Buffer.alloc(16), idLength, id, coseKey]));
      const response = Object.assign(new AuthenticatorAttestationResponse(), {
        clientDataJSON: arrayBuffer(clientData("webauthn.create", options.challenge)),
        attestationObject: arrayBuffer(cbor({ fmt: "none", attStmt: {}, authData: data })),
        getTransports: () => ["internal"],
        getPublicKeyAlgorithm: () => -7,
        getAuthenticatorData: () => arrayBuffer(data),
        getPublicKey: () => arrayBuffer(publicKey.export({ format: "der", type: "spki" })),
      });
      return new PublicKeyCredential(id, response);
    },
    async get({ publicKey: options }) {
      const allowed = (options.allowCredentials ?? []).map((c) => b64url(bytes(c.id)));
      const id = [...credentials.keys()].find((k) => credentials.get(k).rpId === options.rpId &&
                                                     (!allowed.length || allowed.includes(k)));
      if (!id) throw new DOMException("no passkey for this site", "NotAllowedError");
      const credential = credentials.get(id);
      credential.counter += 1;
      authenticator.used.push(id);
      const data = authData(options.rpId, 0x05, credential.counter);
      const client = clientData("webauthn.get", options.challenge);
      const response = Object.assign(new AuthenticatorAssertionResponse(), {
        clientDataJSON: arrayBuffer(client),
        authenticatorData: arrayBuffer(data),
        signature: arrayBuffer(sign("sha256", Buffer.concat([data, sha256(client)]), credential.privateKey)),
        userHandle: arrayBuffer(credential.userHandle),
      });
      return new PublicKeyCredential(Buffer.from(id, "base64url"), response);
    },
  };
  // What Amplify checks before it uses passkeys (getIsPasskeySupported) and the classes it tests against.
  const url = new URL(origin);
  globalThis.window = globalThis;
  const document = { visibilityState: "visible", addEventListener() {}, removeEventListener() {},
                    querySelector: () => null, querySelectorAll: () => [] };
  Object.assign(globalThis, { document, isSecureContext: true, PublicKeyCredential, addEventListener() {},
                              removeEventListener() {},
                              AuthenticatorAttestationResponse, AuthenticatorAssertionResponse,
                              location: { origin, hostname: url.hostname, protocol: url.protocol, href: origin } });
  Object.defineProperty(globalThis, "navigator", {
    value: { userAgent: "node", credentials: authenticator }, configurable: true, writable: true,
  });
  return authenticator;
}
