/**
 * One line of a file as its bytes (without the line break), its 1-based
 * number and the file offset of its first byte.
 */
export type ByteLine = { bytes: Buffer; number: number; offset: number };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * The lines of a byte stream, split on LF (a trailing CR is dropped, for
 * CRLF files). Split as bytes, not text: a decoder would already have
 * replaced an invalid sequence by U+FFFD, and an LF byte never occurs
 * inside a multi-byte UTF-8 sequence, so splitting first loses nothing.
 */
export async function* byteLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<ByteLine> {
  let carry: Buffer = Buffer.alloc(0);
  let number = 0;
  let offset = 0;
  const line = (bytes: Buffer): ByteLine => {
    const start = offset;
    offset += bytes.length + 1;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN ? bytes.length - 1 : bytes.length;
    return { bytes: bytes.subarray(0, end), number: ++number, offset: start };
  };
  for await (const chunk of chunks) {
    let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    for (let at = data.indexOf(NEWLINE); at !== -1; at = data.indexOf(NEWLINE)) {
      yield line(data.subarray(0, at));
      data = data.subarray(at + 1);
    }
    carry = Buffer.from(data);
  }
  if (carry.length > 0) yield line(carry);
}
