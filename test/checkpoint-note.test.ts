import { CheckpointError, formatCheckpoint, parseCheckpoint } from '../src/checkpoint/checkpoint-body';
import { openCheckpoint, signCheckpoint } from '../src/checkpoint/checkpoint-note';
import { generateNoteKey, NoteKeyError, parseSignerKey, parseVerifierKey } from '../src/checkpoint/note-keys';
import { NoteError, openNote, signNote } from '../src/checkpoint/signed-note';
import { leafHash } from '../src/merkle/tree-hash';
import { readVerifierKey, verifyNote } from '../src/verifier/note';
import { signerKeyPart, verifierKeyPart } from './harness/note-key-parts';
import { readme } from './harness/readme';

/*
 * Test vectors of golang.org/x/mod/sumdb/note, the reference implementation of
 * C2SP signed-note: sumdb/note/note_test.go in golang/mod @ 02c991387e35f9e4c0a9b7ce137717055f8d716d
 * (TestNewVerifier, TestNewSigner, TestSign, TestOpen).
 */
const PETER_VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const PETER_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const ENOCH_VERIFIER = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';
const peter = () => parseVerifierKey(PETER_VERIFIER);
const enoch = () => parseVerifierKey(ENOCH_VERIFIER);

/** Every proper substring and every one-byte increment of a key text (as TestNewVerifier / TestNewSigner try). */
function manglings(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i <= key.length; i += 1) {
    for (let j = i + 1; j <= key.length; j += 1) if (i !== 0 || j !== key.length) out.push(key.slice(i, j));
  }
  for (let i = 0; i < key.length; i += 1) {
    out.push(key.slice(0, i) + String.fromCharCode(key.charCodeAt(i) + 1) + key.slice(i + 1));
  }
  return out;
}

const acceptedOf = (parse: (text: string) => unknown, texts: string[]): string[] =>
  texts.filter((text) => {
    try {
      parse(text);
      return true;
    } catch (error) {
      if (error instanceof NoteKeyError || (error instanceof Error && /key|DER|decoder/i.test(error.message)))
        return false;
      throw error;
    }
  });

describe('note keys (TestNewVerifier, TestNewSigner)', () => {
  it('reads the published verifier and signer keys, and the signer names its verifier key', () => {
    expect(peter()).toMatchObject({ name: 'PeterNeumann', keyId: 0xc74f20a3, text: PETER_VERIFIER });
    expect(parseSignerKey(PETER_SIGNER)).toMatchObject({
      name: 'PeterNeumann',
      keyId: 0xc74f20a3,
      verifierKey: PETER_VERIFIER,
    });
  });

  it('refuses every substring and every one-byte change of them, and the wrong-length and unknown-algorithm keys', () => {
    expect(acceptedOf(parseVerifierKey, manglings(PETER_VERIFIER))).toEqual([]);
    expect(acceptedOf(parseSignerKey, manglings(PETER_SIGNER))).toEqual([]);
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(NoteKeyError);
    expect(() => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')).toThrow(
      'not an Ed25519 key',
    );
  });

  it('generates key pairs that sign and verify, and refuses names with a space or a +, or none', () => {
    const { signerKey, verifierKey } = generateNoteKey('auditgraph.example/log');
    expect(signerKey).toMatch(/^PRIVATE\+KEY\+auditgraph\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(parseSignerKey(signerKey).verifierKey).toBe(verifierKey);
    const note = signNote('hello\n', parseSignerKey(signerKey));
    expect(openNote(note, [parseVerifierKey(verifierKey)]).text).toBe('hello\n');
    for (const name of ['', 'a b', 'a+b', 'tab\there', 'nbsp\u00a0x'])
      expect(() => generateNoteKey(name)).toThrow(NoteKeyError);
  });

  // Tests that check a key never leaks search for its key part; base64's '+' made the last '+'-piece a partial or empty one.
  it("a key text's key part is all of its base64, whatever '+' and '/' the base64 holds", () => {
    expect(signerKeyPart(PETER_SIGNER)).toBe('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz');
    expect(verifierKeyPart(PETER_VERIFIER)).toBe('ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW');
    for (let i = 0; i < 200; i += 1) {
      const { signerKey, verifierKey } = generateNoteKey('a/b.c');
      for (const part of [signerKeyPart(signerKey), verifierKeyPart(verifierKey)]) {
        expect(Buffer.from(part, 'base64').toString('base64')).toBe(part);
        expect(Buffer.from(part, 'base64')).toHaveLength(33);
      }
    }
  });
});

describe('signed notes (TestSign, TestOpen)', () => {
  it('signs the published text to the published note (Ed25519 is deterministic)', () => {
    expect(signNote(TEXT, parseSignerKey(PETER_SIGNER))).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it('refuses to sign text that does not end in a newline, has a blank line or a control character', () => {
    const signer = parseSignerKey(PETER_SIGNER);
    for (const text of ['abc', '', '\n', 'a\n\nb\n', 'a\u0001\n', 'a\r\n'])
      expect(() => signNote(text, signer)).toThrow(NoteError);
  });

  it('verifies the known key, lists the unknown one, and says which key signed', () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter()]);
    expect(opened.text).toBe(TEXT);
    expect(opened.signatures).toEqual([
      { name: 'PeterNeumann', keyId: 0xc74f20a3, base64: PETER_SIG.split(' ')[2]!.trim(), verifierKey: PETER_VERIFIER },
    ]);
    expect(opened.unknownSignatures.map(({ name, keyId }) => [name, keyId])).toEqual([['EnochRoot', 0xaf0cfe78]]);
    const both = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [enoch(), peter()]);
    expect(both.signatures.map(({ verifierKey }) => verifierKey)).toEqual([PETER_VERIFIER, ENOCH_VERIFIER]);
    expect(both.unknownSignatures).toEqual([]);
  });

  it('refuses a note no given key signed, a bad signature by a known key, and more than 100 signatures', () => {
    expect(() => openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [])).toThrow('no signature by a known key');
    expect(() => openNote(`${TEXT}\n${ENOCH_SIG}`, [peter()])).toThrow('signed by EnochRoot');
    const forged = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(() => openNote(forged, [peter()])).toThrow('invalid signature for key PeterNeumann+c74f20a3');
    expect(() => openNote(`${TEXT}\n${PETER_SIG.repeat(101)}`, [peter()])).toThrow('more than 100 signatures');
    expect(() => openNote(`If you think…\n${TEXT}\n${PETER_SIG}`, [peter()])).toThrow('invalid signature');
  });

  it('counts repeated signatures once and ignores unknown ones, even a forged unknown one', () => {
    const enochForged = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const opened = openNote(`${TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochForged}`, [peter()]);
    expect(opened.signatures).toHaveLength(1);
    expect(opened.unknownSignatures).toHaveLength(2);
  });

  it.each([
    ['no blank line', TEXT],
    ['nothing after the blank line', `${TEXT}\n`],
    ['no final newline', `${TEXT}\n${PETER_SIG.slice(0, -1)}`],
    ['a control character', `\u0001${TEXT}\n${PETER_SIG}`],
    ['a lone surrogate', `\ud800${TEXT}\n${PETER_SIG}`],
    ['a name with a space', `${TEXT}\n— Bad Name ${PETER_SIG.split(' ')[2]}`],
    ['a line after the signatures', `${TEXT}\n${PETER_SIG}Unexpected line.\n`],
    ['a hyphen for the em dash', `${TEXT}\n-${PETER_SIG.slice(1)}`],
    ['non-canonical base64', `${TEXT}\n${PETER_SIG.replace('AM=', 'AN=')}`],
    ['a signature too short to hold a key id', `${TEXT}\n— PeterNeumann AAAA\n`],
    ['an empty signature', `${TEXT}\n— PeterNeumann \n`],
  ])('refuses a malformed note: %s', (_case, note) => {
    expect(() => openNote(note, [peter()])).toThrow(/^malformed note/);
  });
});

describe('checkpoints', () => {
  const root = leafHash(Buffer.from('root'));
  const checkpoint = { origin: 'auditgraph/ag_test', size: 12, root, time: '2026-12-01T16:00:00.123456Z' };

  it('are written as tlog-checkpoint bodies with one time line, and read back', () => {
    const body = formatCheckpoint(checkpoint);
    expect(body).toBe(`auditgraph/ag_test\n12\n${root.toString('base64')}\ntime 2026-12-01T16:00:00.123456Z\n`);
    expect(parseCheckpoint(body)).toEqual(checkpoint);
    expect(parseCheckpoint(formatCheckpoint({ ...checkpoint, size: 2 ** 53 - 1 })).size).toBe(2 ** 53 - 1);
  });

  it('signed by one key, then by its successor, each opened with both keys saying which signed', () => {
    const [old, next] = [generateNoteKey('auditgraph/ag_test'), generateNoteKey('auditgraph/ag_test')];
    const trusted = [parseVerifierKey(old.verifierKey), parseVerifierKey(next.verifierKey)];
    const first = signCheckpoint(checkpoint, parseSignerKey(old.signerKey));
    const second = signCheckpoint({ ...checkpoint, size: 13 }, parseSignerKey(next.signerKey));
    expect(openCheckpoint(first, trusted).signatures.map(({ verifierKey }) => verifierKey)).toEqual([old.verifierKey]);
    expect(openCheckpoint(second, trusted)).toMatchObject({
      checkpoint: { size: 13 },
      signatures: [{ verifierKey: next.verifierKey }],
    });
    expect(() => openCheckpoint(second, [trusted[0]!])).toThrow('no signature by a known key');
  });

  const body = formatCheckpoint(checkpoint);
  const lines = body.split('\n');
  it.each([
    ['no final newline', body.slice(0, -1)],
    ['a missing time line', lines.slice(0, 3).join('\n') + '\n'],
    ['an extra extension line', `${body}other extension\n`],
    ['a blank line', `${body}\n`],
    ['an empty origin', `\n${lines.slice(1).join('\n')}`],
    ['an origin with a space', `auditgraph ag\n${lines.slice(1).join('\n')}`],
    ['a size with a leading zero', body.replace('\n12\n', '\n012\n')],
    ['a negative size', body.replace('\n12\n', '\n-12\n')],
    ['a size beyond 2^53', body.replace('\n12\n', '\n9007199254740993\n')],
    ['a huge size', body.replace('\n12\n', `\n${'9'.repeat(400)}\n`)],
    ['a size with an exponent', body.replace('\n12\n', '\n1e3\n')],
    ['a root of 31 bytes', body.replace(root.toString('base64'), root.subarray(1).toString('base64'))],
    ['an unpadded root', body.replace(root.toString('base64'), root.toString('base64').replace(/=$/, ''))],
    ['a root with base64url characters', body.replace(root.toString('base64'), root.toString('base64url') + '=')],
    ['a root with non-zero padding bits', body.replace(root.toString('base64'), nonCanonical(root.toString('base64')))],
    ['a time without microseconds', body.replace('16:00:00.123456Z', '16:00:00Z')],
    ['a time with an offset', body.replace('16:00:00.123456Z', '17:00:00.123456+01:00')],
    ['a time that does not exist', body.replace('2026-12-01', '2026-02-30')],
    ['a time line without its keyword', body.replace('time ', '')],
  ])('refuses a checkpoint body with %s', (_case, text) => {
    expect(() => parseCheckpoint(text)).toThrow(CheckpointError);
  });
});

/** The same bytes' base64 with the unused low bits of the last character set: decoders accept it, we do not. */
function nonCanonical(base64: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const at = base64.replace(/=+$/, '').length - 1;
  return base64.slice(0, at) + alphabet[alphabet.indexOf(base64[at]!) + 1] + base64.slice(at + 1);
}

describe("the README's example checkpoint", () => {
  it('opens with the example key it names, with the source of truth and the offline verifier alike', () => {
    const section = readme().split('## Proofs: the tree and checkpoints')[1]!.split('\n## ')[0]!;
    const note = /```\n(auditgraph\/example\n[\s\S]*?)```/.exec(section)![1]!;
    const key = /`(auditgraph\/example\+[0-9a-f]{8}\+[A-Za-z0-9+/]+)`/.exec(section)![1]!;
    const root = Buffer.from('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328', 'hex');
    expect(openCheckpoint(note, [parseVerifierKey(key)]).checkpoint).toEqual({
      origin: 'auditgraph/example',
      size: 8,
      root,
      time: '2026-12-01T16:00:00.123456Z',
    });
    expect(verifyNote(note, [readVerifierKey(key)]).signedBy).toEqual([key]);
  });
});
