import { isUtf8 } from 'node:buffer';

/** Where a byte string stops being well-formed UTF-8, and what is there. */
export type Utf8Fault = { offset: number; reason: string };

const hex = (bytes: Uint8Array) => [...bytes].map((byte) => byte.toString(16).toUpperCase().padStart(2, '0')).join(' ');

/**
 * The first ill-formed sequence in `bytes`, or null when all of it is
 * well-formed UTF-8 (Unicode 15, table 3-7: no overlong forms, no encoded
 * surrogates, nothing above U+10FFFF, no truncated sequence). The native
 * check answers the common case; only a faulty line is walked here, because
 * no decoder says *where* it failed.
 */
export function firstUtf8Fault(bytes: Uint8Array): Utf8Fault | null {
  if (isUtf8(bytes)) return null;
  for (let offset = 0; offset < bytes.length;) {
    const lead = bytes[offset]!;
    if (lead < 0x80) {
      offset++;
      continue;
    }
    // The allowed range of the second byte depends on the lead (table 3-7); later bytes are 80–BF.
    const [length, low, high] =
      lead >= 0xc2 && lead <= 0xdf
        ? [2, 0x80, 0xbf]
        : lead === 0xe0
          ? [3, 0xa0, 0xbf]
          : lead === 0xed
            ? [3, 0x80, 0x9f]
            : lead >= 0xe1 && lead <= 0xef
              ? [3, 0x80, 0xbf]
              : lead === 0xf0
                ? [4, 0x90, 0xbf]
                : lead >= 0xf1 && lead <= 0xf3
                  ? [4, 0x80, 0xbf]
                  : lead === 0xf4
                    ? [4, 0x80, 0x8f]
                    : [0, 0, 0];
    const shown = bytes.subarray(offset, offset + Math.max(length, 1));
    if (length === 0) {
      const what =
        lead < 0xc0
          ? 'a continuation byte with no lead byte'
          : lead < 0xc2
            ? 'the lead of an overlong encoding'
            : 'a byte that never occurs in UTF-8';
      return { offset, reason: `${hex(shown)}: ${what}` };
    }
    for (let index = 1; index < length; index++) {
      const byte = bytes[offset + index];
      if (byte === undefined) return { offset, reason: `${hex(shown)}: a sequence cut short by the end of the line` };
      const [min, max] = index === 1 ? [low, high] : [0x80, 0xbf];
      if (byte < min || byte > max) {
        const what =
          byte >= 0x80 && byte <= 0xbf
            ? lead === 0xed
              ? 'an encoded surrogate (U+D800–U+DFFF)'
              : lead === 0xf4
                ? 'a code point above U+10FFFF'
                : 'an overlong encoding'
            : 'a sequence cut short';
        return { offset, reason: `${hex(bytes.subarray(offset, offset + index + 1))}: ${what}` };
      }
    }
    offset += length;
  }
  return null;
}
