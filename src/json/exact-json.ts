import { isLosslessNumber, LosslessNumber, parse, stringify } from 'lossless-json';

/**
 * jsonb keeps numbers as `numeric`, exactly (`12345678901234567890`,
 * `0.1000000000000000055511151231257827`); JSON.parse rounds them to doubles.
 * A number stays a JavaScript number only when that number writes back as
 * the very same text (so ordinary code keeps working on `1`, `0.83`, `-42`);
 * any other spelling (`12345678901234567890`, `10.50`, `1e400`) becomes a
 * LosslessNumber carrying the stored digits.
 */
export const exactNumber = (text: string): ExactNumber => {
  const number = Number(text);
  return String(number) === text ? number : new LosslessNumber(text);
};

/** JSON text (a jsonb or json value from PostgreSQL) with every number kept exactly. */
export const parseExactJson = (text: string): unknown => parse(text, null, exactNumber);

/** A JSON number as parsed by parseExactJson: a JavaScript number when that is exact, else its digits. */
export type ExactNumber = number | LosslessNumber;

/**
 * A double keeps any number of at most 15 significant digits and a modest
 * exponent; text with a longer run of digits (`98765432.98765432`,
 * `12345678901234567890`, `0.1000000000000000055`) or an exponent may hold a
 * number it cannot. Strings that look so (long ids) only cost the slower parse.
 */
const MAY_HOLD_INEXACT_NUMBER = /\d(?:\.?\d){15}|\d[eE][+-]?\d/;

/** Whether JSON text may hold a number JSON.parse would round (then only lossless-json keeps it). */
export const mayHoldInexactNumber = (text: string): boolean => MAY_HOLD_INEXACT_NUMBER.test(text);

/**
 * JSON text from outside (an import's lines) with every number kept exactly:
 * the native parser where the text holds no number a double could round,
 * lossless-json where it may (it is several times slower).
 */
export const parseExternalJson = (text: string): unknown =>
  mayHoldInexactNumber(text) ? parseExactJson(text) : JSON.parse(text);

/**
 * JSON text of a value that may hold LosslessNumbers, written with their
 * digits. lossless-json's stringify is several times slower than the
 * native one, so the native one writes the text, with a replacer that
 * only looks; lossless-json writes it again only when that finds such a
 * number. Most answers have none, and are written once, on the hot path.
 */
export function stringifyExactJson(value: unknown, indent?: number): string {
  let holdsLosslessNumber = false;
  const text = JSON.stringify(
    value,
    (_key, inner: unknown) => {
      if (isLosslessNumber(inner)) holdsLosslessNumber = true;
      return inner;
    },
    indent,
  );
  if (holdsLosslessNumber) return stringify(value, null, indent) ?? 'null';
  return text ?? 'null';
}
