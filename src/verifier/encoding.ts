/** The bytes of standard padded base64 written in its one canonical spelling, or null for anything else. */
export function canonicalBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}

/** Text a signed note may hold: no ASCII control character but the newline, no lone surrogate. */
export function isNoteText(text: string): boolean {
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if ((code < 0x20 && code !== 0x0a) || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
}

/** A key name (C2SP signed-note) or origin as we accept them: non-empty, no space, no '+', no control character. */
export const isKeyName = (name: string): boolean => name.length > 0 && isNoteText(name) && !/[\s\u0085+]/u.test(name);
