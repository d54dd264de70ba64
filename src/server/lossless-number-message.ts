/**
 * How graphql-js's inspect() prints a LosslessNumber (an exact JSON number
 * from the request body) in a coercion error, e.g. an Int variable sent as
 * `12345678901234567890`: as the object it is, which names our parser.
 */
const INSPECTED_LOSSLESS_NUMBER = /\{ value: "(-?\d[\d.eE+-]*)", isLosslessNumber: true \}/g;

/** A client-facing message with each inspected LosslessNumber written as the number the client sent. */
export const withNumbersAsSent = (message: string): string => message.replace(INSPECTED_LOSSLESS_NUMBER, '$1');
