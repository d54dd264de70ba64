import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';
import { canonicalBase64, isKeyName, isNoteText } from './encoding';

/**
 * C2SP signed-note verification with Ed25519 verifier keys
 * (`<name>+<8 hex key id>+<base64(0x01 ‖ 32-byte public key)>`), written for
 * the verifier alone. Signatures by keys not given are ignored; every
 * signature by a given key must verify; at least one must.
 */

/** A verifier key or signed note that does not hold; the message says why. */
export class NoteVerificationError extends Error {
  override readonly name = 'NoteVerificationError';
}

export interface VerifierKey {
  name: string;
  keyId: number;
  text: string;
  publicKey: KeyObject;
}

const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export function readVerifierKey(text: string): VerifierKey {
  const match = /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  if (match === null) throw new NoteVerificationError('the verifier key is not <name>+<8 hex key id>+<base64 key>');
  const [, name, id, encoded] = match as unknown as [string, string, string, string];
  const bytes = canonicalBase64(encoded);
  if (!isKeyName(name))
    throw new NoteVerificationError('the verifier key name is empty or has a space or a control character');
  if (bytes === null) throw new NoteVerificationError('the verifier key is not canonical base64');
  if (bytes.length !== 33 || bytes[0] !== 0x01)
    throw new NoteVerificationError('the verifier key is not an Ed25519 key');
  const keyId = createHash('sha256').update(`${name}\n`).update(bytes).digest().readUInt32BE(0);
  if (keyId !== Number.parseInt(id, 16))
    throw new NoteVerificationError('the verifier key id does not match its name and key');
  const publicKey = createPublicKey({
    key: Buffer.concat([SPKI_ED25519, bytes.subarray(1)]),
    format: 'der',
    type: 'spki',
  });
  return { name, keyId, text: text.trim(), publicKey };
}

/** The text of a signed note, and the verifier keys (their texts) whose signatures verified. */
export function verifyNote(note: string, keys: readonly VerifierKey[]): { text: string; signedBy: string[] } {
  if (!isNoteText(note)) throw new NoteVerificationError('the note holds a control character or a lone surrogate');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteVerificationError('the note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (!block.endsWith('\n')) throw new NoteVerificationError('the note does not end in a newline after its signatures');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > 100) throw new NoteVerificationError('the note has more than 100 signatures');
  const signedBy = new Set<string>();
  for (const line of lines) {
    const match = /^\u2014 ([^ ]+) ([^ ]+)$/.exec(line);
    const signature = match === null ? null : canonicalBase64(match[2]!);
    if (match === null || !isKeyName(match[1]!) || signature === null || signature.length < 5) {
      throw new NoteVerificationError(`the note has a malformed signature line: ${JSON.stringify(line.slice(0, 80))}`);
    }
    const keyId = signature.readUInt32BE(0);
    for (const key of keys) {
      if (key.name !== match[1] || key.keyId !== keyId) continue;
      const bytes = signature.subarray(4);
      if (bytes.length !== 64 || !verify(null, Buffer.from(text, 'utf8'), key.publicKey, bytes)) {
        throw new NoteVerificationError(
          `the signature of ${key.name}+${keyId.toString(16).padStart(8, '0')} does not verify`,
        );
      }
      signedBy.add(key.text);
    }
  }
  if (signedBy.size === 0) throw new NoteVerificationError('no signature on the note is by a key given to verify it');
  return { text, signedBy: [...signedBy] };
}
