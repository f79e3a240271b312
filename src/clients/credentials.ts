import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface NewCredentials {
  apiKey: string;
  apiSecret: string;
  secretHash: Buffer;
  secretSealed: Buffer;
}

/** A public key id and a 256-bit random secret, kept as its hash and a sealed copy. */
export function generateCredentials(sealingKey: Buffer): NewCredentials {
  const apiSecret = `sk_${randomBytes(32).toString('base64url')}`;
  return {
    apiKey: `ak_${randomBytes(12).toString('hex')}`,
    apiSecret,
    secretHash: hashSecret(apiSecret),
    secretSealed: sealSecret(apiSecret, sealingKey),
  };
}

/** The secret has 256 bits of entropy, so a fast hash is enough: nothing to brute-force. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/** Compares digests of equal length in constant time, whatever the inputs' lengths. */
export function secretsMatch(presentedSecret: string, storedHash: Buffer): boolean {
  return timingSafeEqual(hashSecret(presentedSecret), storedHash);
}

export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(hashSecret(presented), hashSecret(expected));
}

/**
 * A copy of the secret sealed with AES-256-GCM. HMAC-signed requests (CatFee style) can only be
 * checked by someone holding the secret, so it is kept sealed beside its hash (docs/decisions.md).
 */
export function sealSecret(secret: string, key: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

export function unsealSecret(sealed: Buffer, key: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

/** A verified signature and the request it signed: it may sign that request again (a retry), and no other. */
export interface UsedSignature {
  bytes: Buffer;
  requestHash: Buffer;
}

/** The one way each encoding writes 32 bytes: anything else (upper case, padding, junk after it) is not a signature. */
const CANONICAL_SIGNATURE = { hex: /^[0-9a-f]{64}$/, base64: /^[A-Za-z0-9+/]{43}=$/ };

/**
 * Compares an HMAC-SHA256 signature in constant time; `encoding` is how the client must write it,
 * canonically: Node's decoders skip what they cannot read, so a lenient check would accept
 * a signature with anything appended.
 */
export function signatureMatches(secret: string, message: string, presented: string, encoding: 'base64' | 'hex'): boolean {
  if (!CANONICAL_SIGNATURE[encoding].test(presented)) return false;
  const given = Buffer.from(presented, encoding);
  // base64's last character carries two bits that must be zero in the canonical form.
  if (given.toString(encoding) !== presented) return false;
  return timingSafeEqual(given, createHmac('sha256', secret).update(message, 'utf8').digest());
}
