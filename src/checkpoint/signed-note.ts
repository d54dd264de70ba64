import { type NoteSigner, type NoteVerifier, isValidKeyName, verifiesWith } from './note-keys';

/**
 * C2SP signed-note (the format of golang.org/x/mod/sumdb/note): the text,
 * ending in a newline; a blank line; then one line per signature,
 * `— <key name> <base64(4-byte key id ‖ signature)>\n` (em dash U+2014).
 * The text is split from the signatures at the last blank line.
 */

/** A note that is malformed, or that no given key has signed; the message says which. */
export class NoteError extends Error {
  override readonly name = 'NoteError';
}

export interface NoteSignature {
  name: string;
  keyId: number;
  base64: string;
}

export interface OpenedNote {
  /** The signed text, its final newline included. */
  text: string;
  /** The signatures that verified, in note order, each with the verifier key that checked it (rotation: which key signed). */
  signatures: (NoteSignature & { verifierKey: string })[];
  /** Signatures by keys not given (another log's, a witness's): ignored, as the spec requires, and listed. */
  unknownSignatures: NoteSignature[];
}

/** More signature lines than this and the note is refused (the spec asks verifiers to accept at least 16). */
export const MAX_SIGNATURES = 100;
const SIGNATURE_PREFIX = '\u2014 ';

/** Text a note may hold: no ASCII control character but the newline, no lone surrogate (it would not be UTF-8). */
function checkCharacters(text: string): void {
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if ((code < 0x20 && code !== 0x0a) || (code >= 0xd800 && code <= 0xdfff)) {
      throw new NoteError('malformed note: a control character or a lone surrogate');
    }
  }
}

/** Signs `text` (non-empty, ending in a newline, no blank line: checkpoints have none) with `signer`. */
export function signNote(text: string, signer: NoteSigner): string {
  checkCharacters(text);
  if (!text.endsWith('\n')) throw new NoteError('a note text must end in a newline');
  if (text.startsWith('\n') || text.includes('\n\n')) throw new NoteError('a note text we sign has no blank line');
  const id = Buffer.alloc(4);
  id.writeUInt32BE(signer.keyId);
  const signature = Buffer.concat([id, signer.sign(Buffer.from(text, 'utf8'))]).toString('base64');
  return `${text}\n${SIGNATURE_PREFIX}${signer.name} ${signature}\n`;
}

function parseSignatureLine(line: string): NoteSignature & { bytes: Buffer } {
  if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteError('malformed note: a signature line must start with "— "');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  const [name, base64] = space < 0 ? [rest, ''] : [rest.slice(0, space), rest.slice(space + 1)];
  if (!isValidKeyName(name)) throw new NoteError('malformed note: a signature line has an invalid key name');
  const bytes = Buffer.from(base64, 'base64');
  if (base64 === '' || bytes.toString('base64') !== base64) {
    throw new NoteError(`malformed note: the signature of ${name} is not canonical base64`);
  }
  if (bytes.length < 5) throw new NoteError(`malformed note: the signature of ${name} is too short`);
  return { name, keyId: bytes.readUInt32BE(0), base64, bytes: bytes.subarray(4) };
}

/**
 * Opens a signed note with the verifier keys the reader trusts (several: the
 * current key and those it rotated from). Every signature by a given key must
 * verify, at least one must, and the others are ignored — so a key can be
 * rotated and a witness can cosign without breaking older readers.
 */
export function openNote(noteText: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  checkCharacters(noteText);
  const split = noteText.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('malformed note: no blank line before the signatures');
  const text = noteText.slice(0, split + 1);
  const block = noteText.slice(split + 2);
  if (block === '' || !block.endsWith('\n'))
    throw new NoteError('malformed note: the signatures must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError(`malformed note: more than ${MAX_SIGNATURES} signatures`);

  const known = new Map<string, NoteVerifier>();
  for (const verifier of verifiers) {
    const key = `${verifier.name}+${verifier.keyId}`;
    const twin = known.get(key);
    if (twin !== undefined && twin.text !== verifier.text)
      throw new NoteError(`ambiguous verifier keys for ${verifier.name}`);
    known.set(key, verifier);
  }

  const opened: OpenedNote = { text, signatures: [], unknownSignatures: [] };
  const seen = new Set<string>();
  const message = Buffer.from(text, 'utf8');
  for (const line of lines) {
    const { bytes, ...signature } = parseSignatureLine(line);
    const key = `${signature.name}+${signature.keyId}`;
    const verifier = known.get(key);
    if (seen.has(verifier === undefined ? line : key)) continue; // a repeated signature counts once
    seen.add(verifier === undefined ? line : key);
    if (verifier === undefined) {
      opened.unknownSignatures.push(signature);
    } else if (verifiesWith(verifier, message, bytes)) {
      opened.signatures.push({ ...signature, verifierKey: verifier.text });
    } else {
      throw new NoteError(
        `invalid signature for key ${verifier.name}+${signature.keyId.toString(16).padStart(8, '0')}`,
      );
    }
  }
  if (opened.signatures.length === 0) {
    const names = [...new Set(opened.unknownSignatures.map(({ name }) => name))].join(', ');
    throw new NoteError(`no signature by a known key (the note is signed by ${names})`);
  }
  return opened;
}
