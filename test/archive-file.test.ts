import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ArchiveUnreadableError } from '../src/archive/archive-error';
import {
  type ArchiveLine,
  FRAME_MAX_LINES,
  manifestPathOf,
  readArchiveFrames,
  readFrame,
  readManifest,
  writeArchiveFile,
} from '../src/archive/archive-file';
import { archiveKeyId, parseArchiveKey, readArchiveKey, writeNewArchiveKey } from '../src/archive/archive-key';
import { canonicalSha256 } from '../src/integrator/canonical-json';
import { parseExactJson } from '../src/json/exact-json';

const newKey = () => {
  const bytes = randomBytes(32);
  return { bytes, keyId: archiveKeyId(bytes) };
};
const leafHashOf = (line: ArchiveLine) => canonicalSha256({ leaf: line.leafIndex });
const options = { checkpoint: 'example.com/log\n1\nAAAA\n\n— sig\n', leafHashOf };

let folder: string;
let fileNumber = 0;
const nextFile = () => path.join(folder, `2024-05.${++fileNumber}.agarch`);
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'auditgraph-archive-file-'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

const bodyLine = (leafIndex: number, body: string): ArchiveLine => ({
  leafIndex,
  source: 'api_payloads',
  key: String(leafIndex + 1),
  createdAt: '2024-05-31T23:59:59.999Z',
  sha256: canonicalSha256(parseExactJson(body)),
  body,
});

/** Every line of a file, through the streaming reader. */
async function readBack(file: string, key: ReturnType<typeof newKey>) {
  const read: ArchiveLine[] = [];
  for await (const frame of readArchiveFrames(file, key)) read.push(...frame.lines);
  return read;
}

/** JSON text as PostgreSQL's payload::text might hold it: any Unicode, numbers no double holds. */
const hugeNumber = fc.oneof(
  fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }).map(String),
  fc.constantFrom('0.1000000000000000055511151231257827', '1e400', '-0.0000000000000000000001', '10.50'),
);
const bodyText = fc.oneof(
  fc.json(),
  fc
    .record({ text: fc.string({ unit: 'binary' }), numbers: fc.array(hugeNumber, { maxLength: 4 }) })
    .map(({ text, numbers }) => `{"text": ${JSON.stringify(text)}, "numbers": [${numbers.join(', ')}]}`),
);

describe('archive file format auditgraph-archive/1', () => {
  it('reads back every line byte-exact, whatever the body holds (any Unicode, numbers no double holds)', async () => {
    const key = newKey();
    await fc.assert(
      fc.asyncProperty(fc.array(bodyText, { minLength: 1, maxLength: 30 }), async (bodies) => {
        const file = nextFile();
        const lines = bodies.map((body, index) => bodyLine(index * 3, body));
        const manifest = await writeArchiveFile(file, lines, key, options);
        const back = await readBack(file, key);
        expect(back).toEqual(lines);
        back.forEach((line, index) => {
          expect(Buffer.from(line.body as string, 'utf8').equals(Buffer.from(bodies[index]!, 'utf8'))).toBe(true);
          expect(canonicalSha256(parseExactJson(line.body as string))).toBe(line.sha256);
        });
        for (const [number, frame] of manifest.frames.entries())
          expect(await readFrame(file, { number, offset: frame.offset, length: frame.length }, key)).toEqual(
            lines.filter((line) => line.leafIndex >= frame.firstLeaf && line.leafIndex <= frame.lastLeaf),
          );
      }),
      { numRuns: 40 },
    );
  });

  it('writes a manifest of hashes only that describes the file, and reads it back', async () => {
    const key = newKey();
    const file = nextFile();
    const lines = Array.from({ length: FRAME_MAX_LINES * 2 + 7 }, (_, index) => bodyLine(index, `{"n": ${index}}`));
    const written = await writeArchiveFile(file, lines, key, options);
    const manifest = await readManifest(file);
    expect(manifest).toEqual(written);
    expect(manifest.frames.map((frame) => frame.records)).toEqual([FRAME_MAX_LINES, FRAME_MAX_LINES, 7]);
    expect(manifest.frames[1]).toMatchObject({ firstLeaf: FRAME_MAX_LINES, lastLeaf: FRAME_MAX_LINES * 2 - 1 });
    expect(manifest.bytes).toBe((await stat(file)).size);
    expect(manifest.keyId).toBe(key.keyId);
    expect(manifest.records[3]).toEqual({
      leafIndex: 3,
      source: 'api_payloads',
      key: '4',
      leafHash: leafHashOf(lines[3]!),
    });
    expect(await readFile(manifestPathOf(file), 'utf8')).not.toContain('"n"');
    const streamedFrames = [];
    for await (const frame of readArchiveFrames(file, key)) streamedFrames.push(frame);
    expect(streamedFrames.map(({ offset, length, sha256 }) => ({ offset, length, sha256 }))).toEqual(
      manifest.frames.map(({ offset, length, sha256 }) => ({ offset, length, sha256 })),
    );
  });

  it('cuts frames at 1 MiB of plaintext, and keeps a line larger than that whole in a frame alone', async () => {
    const key = newKey();
    const file = nextFile();
    const huge = `"${'é'.repeat(700_000)}"`; // 1.4 MB of UTF-8
    const large = `"${'é'.repeat(200_000)}"`; // 400 kB: two fit in 1 MiB, three do not
    const lines = [bodyLine(0, huge), bodyLine(1, large), bodyLine(2, large), bodyLine(3, large), bodyLine(4, '1')];
    const manifest = await writeArchiveFile(file, lines, key, options);
    expect(manifest.frames.map((frame) => frame.records)).toEqual([1, 2, 2]);
    expect(await readBack(file, key)).toEqual(lines);
  });

  it('never overwrites a file (WORM) and leaves nothing behind when it cannot finish', async () => {
    const key = newKey();
    const file = nextFile();
    await writeArchiveFile(file, [bodyLine(0, '{}')], key, options);
    await expect(writeArchiveFile(file, [bodyLine(1, '{}')], key, options)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readBack(file, key)).toEqual([bodyLine(0, '{}')]);

    const failing = nextFile();
    function* linesThatFail(): Generator<ArchiveLine> {
      yield bodyLine(0, '{}');
      throw new Error('the database went away');
    }
    await expect(writeArchiveFile(failing, linesThatFail(), key, options)).rejects.toThrow('went away');
    await expect(stat(failing)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(writeArchiveFile(nextFile(), [], key, options)).rejects.toThrow('at least one line');
  });

  it('fails a frame whose any one byte is flipped, naming the file and the frame', async () => {
    const key = newKey();
    const file = nextFile();
    const lines = Array.from({ length: 40 }, (_, index) => bodyLine(index, `{"v": "${index}"}`));
    const manifest = await writeArchiveFile(file, lines, key, options);
    const original = await readFile(file);
    const frame = manifest.frames[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: original.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, mask) => {
          const tampered = Buffer.from(original);
          tampered[at]! ^= mask;
          // The AAD names the file, so the tampered bytes are read under the file's own name.
          await rm(file);
          await writeFile(file, tampered);
          try {
            await expect(readBack(file, key)).rejects.toThrow(ArchiveUnreadableError);
            if (at >= frame.offset)
              await expect(
                readFrame(file, { number: 0, offset: frame.offset, length: frame.length }, key),
              ).rejects.toThrow(/frame 0 \(bytes \d+–\d+\)/);
          } finally {
            await rm(file);
            await writeFile(file, original);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fails a frame moved to another file or another place in its file', async () => {
    const key = newKey();
    const lines = Array.from({ length: FRAME_MAX_LINES + 1 }, (_, index) => bodyLine(index, '{}'));
    const file = nextFile();
    const manifest = await writeArchiveFile(file, lines, key, options);
    const [first, second] = manifest.frames;
    const moved = nextFile();
    await copyFile(file, moved);
    await expect(readFrame(moved, { number: 0, offset: first!.offset, length: first!.length }, key)).rejects.toThrow(
      /fails its authentication tag/,
    );
    await expect(readFrame(file, { number: 1, offset: first!.offset, length: first!.length }, key)).rejects.toThrow(
      /fails its authentication tag/,
    );
    const bytes = await readFile(file);
    const swapped = Buffer.concat([
      bytes.subarray(0, first!.offset),
      bytes.subarray(second!.offset, second!.offset + second!.length),
      bytes.subarray(first!.offset, first!.offset + first!.length),
    ]);
    const swappedFile = nextFile();
    await writeFile(swappedFile, swapped);
    await expect(readBack(swappedFile, key)).rejects.toThrow(/frame 0 .* fails its authentication tag/);
  });

  it('names a wrong key, a file cut short, a missing file, and a garbage manifest', async () => {
    const key = newKey();
    const file = nextFile();
    const manifest = await writeArchiveFile(file, [bodyLine(0, '{}'), bodyLine(1, '[]')], key, options);
    const other = newKey();
    await expect(readBack(file, other)).rejects.toThrow(`not written with key ${other.keyId}`);

    const bytes = await readFile(file);
    const short = nextFile();
    await writeFile(short, bytes.subarray(0, bytes.length - 5));
    await expect(readBack(short, key)).rejects.toThrow(/frame 0 .* is cut short/);
    const frame = manifest.frames[0]!;
    await expect(readFrame(short, { number: 0, offset: frame.offset, length: frame.length }, key)).rejects.toThrow(
      /cut short/,
    );
    const headerOnly = nextFile();
    await writeFile(headerOnly, bytes.subarray(0, 10));
    await expect(readBack(headerOnly, key)).rejects.toThrow(/has no valid length/);
    const notArchive = nextFile();
    await writeFile(notArchive, 'PK\u0003\u0004 a zip file');
    await expect(readBack(notArchive, key)).rejects.toThrow(/not an auditgraph-archive\/1 file/);

    await expect(readBack(path.join(folder, 'gone.agarch'), key)).rejects.toThrow(/cannot read .*ENOENT/);
    await expect(readManifest(path.join(folder, 'gone.agarch'))).rejects.toThrow(ArchiveUnreadableError);
    await writeFile(manifestPathOf(short), 'garbage {');
    await expect(readManifest(short)).rejects.toThrow(/is not JSON/);
    await writeFile(manifestPathOf(short), JSON.stringify({ ...manifest, frames: [{ offset: -1 }] }));
    await expect(readManifest(short)).rejects.toThrow(/not an auditgraph-archive\/1 manifest \(at frames.0/);
    await writeFile(manifestPathOf(short), JSON.stringify(manifest));
    await expect(readManifest(short)).rejects.toThrow(/describes/);
  });
});

describe('archive key', () => {
  it('generates a key file once (mode 0600), reads it back with its id, refuses to overwrite it', async () => {
    const file = path.join(folder, 'archive.key');
    const written = await writeNewArchiveKey(file);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readArchiveKey(file)).toEqual(written);
    expect(written.keyId).toMatch(/^[0-9a-f]{16}$/);
    await expect(writeNewArchiveKey(file)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await readArchiveKey(file)).toEqual(written);
  });

  it('refuses no key, an unreadable file, and anything but base64 of 32 bytes, never showing the text', async () => {
    await expect(readArchiveKey(undefined)).rejects.toThrow(/AUDITGRAPH_ARCHIVE_KEY_FILE/);
    await expect(readArchiveKey(path.join(folder, 'none.key'))).rejects.toThrow(/ENOENT/);
    for (const text of [
      '',
      'c2hvcnQ=',
      randomBytes(33).toString('base64'),
      `${randomBytes(32).toString('base64')}!`,
      'ünïcødé',
    ])
      expect(() => parseArchiveKey(text, 'k.key')).toThrow(/must hold one line/);
    expect(() => parseArchiveKey('secret-text-here', 'k.key')).not.toThrow(/secret-text-here/);
  });
});
