// What every interop script shares: TOTP codes, the pool's outbox, and a runner that records each check.
import { createHmac } from "node:crypto";

export const env = process.env;

/** RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret, ``steps`` time steps from now. */
export function totp(secret, steps = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + steps));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}

/** The newest code the local pool "sent" to ``username`` (optionally for one purpose). */
export async function lastCode(username, purpose) {
  const query = new URLSearchParams({ username, ...(purpose ? { purpose } : {}) });
  const messages = await (await fetch(`${env.ENDPOINT_URL}/_local/outbox?${query}`)).json();
  if (!messages.length) throw new Error(`no code sent to ${username}`);
  return messages[messages.length - 1].code;
}

/** Run checks one after another; each records its value or its error (name and message). */
export function checker() {
  const results = {};
  return {
    results,
    async check(name, fn) {
      try {
        results[name] = { ok: true, value: (await fn()) ?? null };
      } catch (error) {
        results[name] = { ok: false, error: `${error?.name ?? "Error"}: ${error?.message ?? error}` };
      }
    },
  };
}
