/**
 * The base64 key part of a note key text, for tests that check a key never leaks.
 * The part is everything after the key id: base64 has '+' in its alphabet, so the
 * last '+'-separated piece is only a suffix of it, and sometimes empty (a key that
 * ends in '+'), which every text "contains". Names and key ids never hold a '+'.
 */
export const signerKeyPart = (signerKey: string): string => afterPluses(signerKey, 4);
export const verifierKeyPart = (verifierKey: string): string => afterPluses(verifierKey, 2);

function afterPluses(text: string, count: number): string {
  let at = -1;
  for (let seen = 0; seen < count; seen += 1) {
    at = text.indexOf('+', at + 1);
    if (at < 0) throw new Error(`a note key text has fewer than ${count} '+'`);
  }
  return text.slice(at + 1);
}
