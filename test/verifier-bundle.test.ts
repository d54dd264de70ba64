import fc from 'fast-check';
import { signCheckpoint } from '../src/checkpoint/checkpoint-note';
import { generateNoteKey, parseSignerKey } from '../src/checkpoint/note-keys';
import { signNote } from '../src/checkpoint/signed-note';
import { MemoryTree } from '../src/merkle/memory-tree';
import { inclusionProof } from '../src/merkle/proofs';
import { leafHash } from '../src/merkle/tree-hash';
import { UnreadableBundleError, verifyBundle } from '../src/verifier/bundle';
import { NoteVerificationError, readVerifierKey, verifyNote } from '../src/verifier/note';

/** Records as the API answers them, in canonical JSON, written by hand (the prover's encoder is not under test here). */
const POSITION = '{"id":"UG9zaXRpb246MQ==","quantity":"100.5","symbol":"ACME","type":"Position"}';
const EXECUTION = '{"fillPrice":12345678901234567890,"id":"RXhlY3V0aW9uOjI=","ratio":0.5,"type":"Execution"}';
const SIZE = 11;
const AT = { [POSITION]: 3, [EXECUTION]: 6 };
const TIME = '2026-12-01T16:00:00.123456Z';
const ORIGIN = 'auditgraph/ag_test';

const oldKey = generateNoteKey(ORIGIN);
const newKey = generateNoteKey(ORIGIN);
let tree: MemoryTree;

beforeAll(async () => {
  tree = new MemoryTree();
  const leaves = Array.from({ length: SIZE }, (_, index) => Buffer.from(`filler ${index}`));
  leaves[AT[POSITION]!] = Buffer.from(POSITION, 'utf8');
  leaves[AT[EXECUTION]!] = Buffer.from(EXECUTION, 'utf8');
  await tree.append(leaves.map((leaf) => leafHash(leaf)));
});

const note = (signerKey = newKey.signerKey) =>
  signCheckpoint({ origin: ORIGIN, size: SIZE, root: tree.root, time: TIME }, parseSignerKey(signerKey));
const proofOf = async (index: number) =>
  (await inclusionProof(tree, index, SIZE)).map((hash) => hash.toString('base64'));

/** A bundle's text, its records spliced in as written so their digits stay exactly as they are. */
async function bundle(
  options: {
    checkpoint?: string;
    records?: string[];
    entry?: (entry: Record<string, unknown>) => Record<string, unknown>;
  } = {},
): Promise<string> {
  const records = options.records ?? [POSITION, EXECUTION];
  const entries = await Promise.all(
    records.map(async (record, position) => {
      const index = [AT[POSITION]!, AT[EXECUTION]!][position]!;
      const entry = (options.entry ?? ((e) => e))({
        record: '@RECORD@',
        leafIndex: index,
        inclusionProof: await proofOf(index),
      });
      return JSON.stringify(entry).replace('"@RECORD@"', record);
    }),
  );
  const checkpoint = JSON.stringify(options.checkpoint ?? note());
  return `{"format":"auditgraph-proof-bundle/v1","checkpoint":${checkpoint},"entries":[${entries.join(',')}]}`;
}

/** The note with four characters of its signature replaced (past the key id, as note_test.go forges one). */
function forged(noteText: string): string {
  const at = noteText.lastIndexOf('\u2014 ') + `\u2014 ${ORIGIN} `.length + 40;
  const replacement = noteText.slice(at, at + 4) === 'ABCD' ? 'DCBA' : 'ABCD';
  return noteText.slice(0, at) + replacement + noteText.slice(at + 4);
}

describe('verifyBundle', () => {
  it('verifies every entry against the checkpoint, with the old and the new key trusted, naming the key that signed', async () => {
    const result = verifyBundle(await bundle(), [oldKey.verifierKey, newKey.verifierKey]);
    expect(result).toEqual({
      ok: true,
      checkpoint: { origin: ORIGIN, size: SIZE, root: tree.root.toString('base64'), time: TIME },
      signedBy: [newKey.verifierKey],
      entries: [
        { ok: true, name: 'entry 0 (Position UG9zaXRpb246MQ==)' },
        { ok: true, name: 'entry 1 (Execution RXhlY3V0aW9uOjI=)' },
      ],
    });
    expect(
      verifyBundle(await bundle({ checkpoint: note(oldKey.signerKey) }), [oldKey.verifierKey, newKey.verifierKey]),
    ).toMatchObject({
      ok: true,
      signedBy: [oldKey.verifierKey],
    });
  });

  it('canonicalizes the record: key order and whitespace as an API client received them do not matter', async () => {
    const asReceived = '{ "type": "Position", "symbol": "ACME",\n  "quantity": "100.5", "id": "UG9zaXRpb246MQ==" }';
    expect(verifyBundle(await bundle({ records: [asReceived] }), [newKey.verifierKey]).ok).toBe(true);
  });

  it('names the entry whose record was changed, even by a digit a double cannot see', async () => {
    const changed = [POSITION.replace('100.5', '100.6'), EXECUTION.replace('567890', '567891')];
    expect(Number('12345678901234567890')).toBe(Number('12345678901234567891'));
    const result = verifyBundle(await bundle({ records: changed }), [newKey.verifierKey]);
    expect(result.ok).toBe(false);
    expect(result.entries.map(({ ok, name, problem }) => [ok, name, problem?.split(':')[0]])).toEqual([
      [false, 'entry 0 (Position UG9zaXRpb246MQ==)', "its record is not leaf 3 of the checkpoint's tree"],
      [false, 'entry 1 (Execution RXhlY3V0aW9uOjI=)', "its record is not leaf 6 of the checkpoint's tree"],
    ]);
  });

  it('fails every entry, saying why, when the checkpoint is signed by another key or is not one of ours', async () => {
    const stranger = generateNoteKey(ORIGIN);
    const cases: [string, string, RegExp][] = [
      ['a key not trusted', note(stranger.signerKey), /no signature on the note is by a key given/],
      ['a forged signature', forged(note()), /does not verify/],
      [
        'an extra line',
        signNote(
          `${ORIGIN}\n${SIZE}\n${tree.root.toString('base64')}\ntime ${TIME}\nextra\n`,
          parseSignerKey(newKey.signerKey),
        ),
        /5 lines, not 4/,
      ],
      [
        'a size beyond 2^53',
        signNote(
          `${ORIGIN}\n9007199254740993\n${tree.root.toString('base64')}\ntime ${TIME}\n`,
          parseSignerKey(newKey.signerKey),
        ),
        /beyond 2\^53/,
      ],
      [
        'a huge size',
        signNote(
          `${ORIGIN}\n${'9'.repeat(500)}\n${tree.root.toString('base64')}\ntime ${TIME}\n`,
          parseSignerKey(newKey.signerKey),
        ),
        /beyond 2\^53/,
      ],
      [
        'a non-canonical root',
        signNote(
          `${ORIGIN}\n${SIZE}\n${tree.root.toString('base64').replace('=', '')}\ntime ${TIME}\n`,
          parseSignerKey(newKey.signerKey),
        ),
        /canonical base64/,
      ],
      [
        'a time without microseconds',
        signNote(
          `${ORIGIN}\n${SIZE}\n${tree.root.toString('base64')}\ntime 2026-12-01T16:00:00Z\n`,
          parseSignerKey(newKey.signerKey),
        ),
        /time line/,
      ],
      ['no signature block', `${ORIGIN}\n${SIZE}\n`, /no blank line/],
      ['a control character', note().replace(ORIGIN, `${ORIGIN}\u0007`), /control character/],
    ];
    for (const [, checkpoint, problem] of cases) {
      const result = verifyBundle(await bundle({ checkpoint }), [newKey.verifierKey]);
      expect(result).toMatchObject({ ok: false, checkpoint: null, problem: expect.stringMatching(problem) });
      expect(result.entries.map(({ ok }) => ok)).toEqual([false, false]);
    }
  });

  it.each<[string, (entry: Record<string, unknown>) => Record<string, unknown>, RegExp]>([
    ['an index ≥ the size', (e) => ({ ...e, leafIndex: SIZE }), /not below the checkpoint's size 11/],
    ['a negative index', (e) => ({ ...e, leafIndex: -1 }), /not a non-negative integer/],
    ['a fractional index', (e) => ({ ...e, leafIndex: 1.5 }), /not a non-negative integer/],
    ['an index as a string', (e) => ({ ...e, leafIndex: '3' }), /not a non-negative integer/],
    ['an index beyond 2^53', (e) => ({ ...e, leafIndex: 2 ** 60 }), /beyond 2\^53/],
    ['another leaf’s index', (e) => ({ ...e, leafIndex: (e.leafIndex as number) ^ 1 }), /is not leaf/],
    [
      'a proof hash of 31 bytes',
      (e) => ({
        ...e,
        inclusionProof: [Buffer.alloc(31).toString('base64'), ...(e.inclusionProof as string[]).slice(1)],
      }),
      /inclusionProof\[0\] is not the canonical base64 of 32 bytes/,
    ],
    [
      'an unpadded proof hash',
      (e) => ({ ...e, inclusionProof: (e.inclusionProof as string[]).map((h) => h.replace('=', '')) }),
      /not the canonical base64/,
    ],
    ['a proof hash that is not a string', (e) => ({ ...e, inclusionProof: [1, 2] }), /not the canonical base64/],
    [
      'a proof one hash short',
      (e) => ({ ...e, inclusionProof: (e.inclusionProof as string[]).slice(1) }),
      /is not leaf/,
    ],
    [
      'a proof of 65 hashes',
      (e) => ({ ...e, inclusionProof: Array(65).fill(Buffer.alloc(32).toString('base64')) }),
      /longer than any tree needs/,
    ],
    ['no proof', ({ inclusionProof: _proof, ...e }) => e, /inclusionProof is not an array/],
    ['no record', ({ record: _record, ...e }) => e, /record is not an object/],
  ])('refuses an entry with %s, and says so', async (_case, change, problem) => {
    const result = verifyBundle(await bundle({ records: [POSITION], entry: change }), [newKey.verifierKey]);
    expect(result.ok).toBe(false);
    expect(result.entries).toEqual([
      { ok: false, name: expect.stringMatching(/^entry 0/), problem: expect.stringMatching(problem) },
    ]);
  });

  it('says a file is unreadable when it is not a v1 bundle, and refuses a key text that is not a verifier key', async () => {
    const key = [newKey.verifierKey];
    for (const text of [
      '',
      'not json',
      '[]',
      '{"format":"other"}',
      '{"format":"auditgraph-proof-bundle/v1","entries":[]}',
      '{"format":"auditgraph-proof-bundle/v1","checkpoint":"x","entries":{}}',
      '{"format":"auditgraph-proof-bundle/v1","format":"auditgraph-proof-bundle/v1"}',
    ]) {
      expect(() => verifyBundle(text, key)).toThrow(UnreadableBundleError);
    }
    expect(verifyBundle((await bundle()).replace(/"entries":\[.*\]\}$/, '"entries":[]}'), key)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/proves no record/),
    });
    const good = await bundle();
    expect(() => verifyBundle(good, [newKey.signerKey])).toThrow(NoteVerificationError);
    expect(() => verifyBundle(good, [newKey.verifierKey.slice(0, -2)])).toThrow(NoteVerificationError);
  });

  it('never crashes on a damaged bundle: each change is a result or an unreadable file', async () => {
    const text = await bundle();
    await fc.assert(
      fc.property(fc.nat(text.length - 1), fc.nat(text.length), fc.string({ maxLength: 3 }), (at, length, insert) => {
        const damaged = text.slice(0, at) + insert + text.slice(at + (length % 8));
        try {
          const result = verifyBundle(damaged, [newKey.verifierKey]);
          if (damaged !== text) expect(typeof result.ok).toBe('boolean');
        } catch (error) {
          expect(error).toBeInstanceOf(UnreadableBundleError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('the verifier’s signed-note check, on golang.org/x/mod/sumdb/note vectors (note_test.go @ 02c991387e35f9e4c0a9b7ce137717055f8d716d)', () => {
  const peter = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const enoch = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
  const text = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  const peterSig =
    '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
  const enochSig =
    '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

  it('verifies the known keys, ignores the unknown, refuses a forged signature by a known key', () => {
    expect(verifyNote(`${text}\n${peterSig}${enochSig}`, [readVerifierKey(peter)])).toEqual({
      text,
      signedBy: [peter],
    });
    expect(
      verifyNote(`${text}\n${peterSig}${enochSig}`, [readVerifierKey(enoch), readVerifierKey(peter)]).signedBy,
    ).toEqual([peter, enoch]);
    expect(() =>
      verifyNote(`${text}\n${peterSig.slice(0, 60)}ABCD${peterSig.slice(60)}`, [readVerifierKey(peter)]),
    ).toThrow('does not verify');
    expect(() => verifyNote(`${text}\n${enochSig}`, [readVerifierKey(peter)])).toThrow(NoteVerificationError);
    for (const bad of [
      text,
      `${text}\n`,
      `${text}\n${peterSig.slice(0, -1)}`,
      `${text}\n${peterSig}Unexpected line.\n`,
      `${text}\n${peterSig.repeat(101)}`,
    ]) {
      expect(() => verifyNote(bad, [readVerifierKey(peter)])).toThrow(NoteVerificationError);
    }
  });

  it('refuses every substring and one-byte change of a verifier key', () => {
    const accepted: string[] = [];
    for (let i = 0; i < peter.length; i += 1) {
      const variants = [
        peter.slice(i + 1),
        peter.slice(0, i),
        peter.slice(0, i) + String.fromCharCode(peter.charCodeAt(i) + 1) + peter.slice(i + 1),
      ];
      for (const variant of variants) {
        try {
          readVerifierKey(variant);
          accepted.push(variant);
        } catch (error) {
          expect(error).toBeInstanceOf(NoteVerificationError);
        }
      }
    }
    expect(accepted).toEqual([]);
  });
});
