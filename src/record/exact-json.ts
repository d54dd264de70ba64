import { isLosslessNumber, stringify } from 'lossless-json';

const holdsLosslessNumber = (value: unknown): boolean => {
  let found = false;
  JSON.stringify(value, (_key, inner: unknown) => {
    if (isLosslessNumber(inner)) found = true;
    return inner;
  });
  return found;
};

/**
 * JSON text for what the writer sends PostgreSQL. A LosslessNumber (how an
 * exact parser hands over `9223372036854775807` or `0.1000000000000000001`)
 * is written as the digits it holds, so a number reaches its column as it
 * was sent, not as the nearest double. lossless-json's stringify is several
 * times slower than the native one (an import sends millions of rows), so it
 * runs only for values a native walk finds such a number in.
 */
export function exactJson(value: unknown): string {
  if (holdsLosslessNumber(value)) return stringify(value) ?? 'null';
  return JSON.stringify(value) ?? 'null';
}
