import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';

/**
 * Ed25519 note keys in the text forms of C2SP signed-note and
 * golang.org/x/mod/sumdb/note, so any note tool reads them:
 *   signer   PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x01 ‖ 32-byte seed)>
 *   verifier <name>+<key id, 8 hex>+<base64(0x01 ‖ 32-byte public key)>
 * key id = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian.
 */

/** A key text that is not one, with the reason (never the key's secret part). */
export class NoteKeyError extends Error {
  override readonly name = 'NoteKeyError';
}

/** The signature type byte of Ed25519 in signed notes. */
const ED25519 = 0x01;
// The fixed DER prefixes that make a raw 32-byte Ed25519 key a PKCS#8 private or SPKI public key for node:crypto.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteVerifier {
  name: string;
  keyId: number;
  /** The verifier key text: what is published and configured on the verifying side. */
  text: string;
  publicKey: KeyObject;
}

export interface NoteSigner {
  name: string;
  keyId: number;
  /** The verifier key text of this signer's public key. */
  verifierKey: string;
  /** Ed25519 signature of the message. */
  sign(message: Uint8Array): Buffer;
}

/**
 * C2SP key name rules: non-empty, no Unicode space, no '+' (the text forms
 * split on it); and text a note may hold: no control character, no lone surrogate.
 */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s\u0085+\p{Cc}\uD800-\uDFFF]/u.test(name);
}

export function keyIdOf(name: string, rawPublicKey: Uint8Array): number {
  const digest = createHash('sha256').update(name).update(Uint8Array.of(0x0a, ED25519)).update(rawPublicKey).digest();
  return digest.readUInt32BE(0);
}

const hex8 = (keyId: number): string => keyId.toString(16).padStart(8, '0');
const rawPublicKeyOf = (publicKey: KeyObject): Buffer =>
  publicKey.export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);

/** Standard padded base64 that decodes to bytes that encode back to the very same text. */
function canonicalBase64(text: string, what: string): Buffer {
  const bytes = Buffer.from(text, 'base64');
  if (text.length === 0 || bytes.toString('base64') !== text) throw new NoteKeyError(`${what} is not canonical base64`);
  return bytes;
}

function verifierKeyText(name: string, rawPublicKey: Buffer): string {
  const keyId = keyIdOf(name, rawPublicKey);
  return `${name}+${hex8(keyId)}+${Buffer.concat([Uint8Array.of(ED25519), rawPublicKey]).toString('base64')}`;
}

/** The first `count` '+'-separated fields of `text` and the rest (base64 may hold '+' itself). */
function chop(text: string, count: number): string[] {
  const fields: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i += 1) {
    const plus = rest.indexOf('+');
    if (plus < 0) return [...fields, rest];
    fields.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  return [...fields, rest];
}

/** Reads `<name>+<id>+<base64>`: checks the name, the id's form and the algorithm byte; returns the 32 key bytes. */
function parseKeyParts(text: string, what: string): { name: string; keyId: number; key: Buffer } {
  const parts = chop(text, 2);
  if (parts.length !== 3) throw new NoteKeyError(`${what} is not <name>+<key id>+<base64 key>`);
  const [name, id, encoded] = parts as [string, string, string];
  if (!isValidKeyName(name)) throw new NoteKeyError(`${what} has an invalid key name`);
  if (!/^[0-9a-f]{8}$/.test(id)) throw new NoteKeyError(`${what} key id is not 8 lowercase hex digits`);
  const bytes = canonicalBase64(encoded, `${what} key`);
  if (bytes[0] !== ED25519) throw new NoteKeyError(`${what} is not an Ed25519 key (type byte 0x01)`);
  if (bytes.length !== 33) throw new NoteKeyError(`${what} key is ${bytes.length - 1} bytes, not 32`);
  return { name, keyId: Number.parseInt(id, 16), key: bytes.subarray(1) };
}

export function parseVerifierKey(text: string): NoteVerifier {
  const { name, keyId, key } = parseKeyParts(text, 'the verifier key');
  if (keyIdOf(name, key) !== keyId) throw new NoteKeyError('the verifier key id does not match its name and key');
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, key]), format: 'der', type: 'spki' });
  } catch {
    throw new NoteKeyError('the verifier key is not an Ed25519 public key');
  }
  return { name, keyId, text, publicKey };
}

export function parseSignerKey(text: string): NoteSigner {
  if (!text.startsWith('PRIVATE+KEY+')) throw new NoteKeyError('the signer key does not start PRIVATE+KEY+');
  const { name, keyId, key } = parseKeyParts(text.slice('PRIVATE+KEY+'.length), 'the signer key');
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, key]), format: 'der', type: 'pkcs8' });
  const rawPublicKey = rawPublicKeyOf(createPublicKey(privateKey));
  if (keyIdOf(name, rawPublicKey) !== keyId)
    throw new NoteKeyError('the signer key id does not match its name and key');
  return {
    name,
    keyId,
    verifierKey: verifierKeyText(name, rawPublicKey),
    sign: (message) => sign(null, message, privateKey),
  };
}

/** A fresh Ed25519 key pair named `name`, as signer and verifier key texts. */
export function generateNoteKey(name: string): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name)) throw new NoteKeyError(`key name ${JSON.stringify(name)} is empty or has a space or '+'`);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
  const rawPublicKey = rawPublicKeyOf(publicKey);
  const keyId = keyIdOf(name, rawPublicKey);
  return {
    signerKey: `PRIVATE+KEY+${name}+${hex8(keyId)}+${Buffer.concat([Uint8Array.of(ED25519), seed]).toString('base64')}`,
    verifierKey: verifierKeyText(name, rawPublicKey),
  };
}

/** Whether `signature` is `verifier`'s Ed25519 signature of `message`. */
export function verifiesWith(verifier: NoteVerifier, message: Uint8Array, signature: Uint8Array): boolean {
  return signature.length === 64 && verify(null, message, verifier.publicKey, signature);
}
