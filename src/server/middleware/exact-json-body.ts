import type { Request, RequestHandler } from 'express';
import express from 'express';
import { MAX_VARIABLES_DEPTH, nestsDeeperThan } from '../../json/variables-depth';
import { mayHoldInexactNumber, parseExactJson } from '../../json/exact-json';

/** The raw body body-parser read (inflated, not yet decoded), kept only until it is parsed again. */
const rawBodies = new WeakMap<Request, { bytes: Buffer; charset: string }>();

/**
 * A body nested deeper than this is refused by refuseBeforeGraphQL (its
 * variables or extensions past MAX_VARIABLES_DEPTH, below the body and a
 * batch's array) or carries its depth where GraphQL reads nothing; either
 * way it is not parsed again, and lossless-json's recursive parser never
 * meets the 100,000 levels a hostile body can hold.
 */
const REPARSE_DEPTH = MAX_VARIABLES_DEPTH + 2;

/** Like body-parser's own charset refusal, so http-error-answer answers it the same way. */
const unsupportedCharset = (charset: string) =>
  Object.assign(new Error(`unsupported charset "${charset.toUpperCase()}"`), {
    status: 415,
    statusCode: 415,
    expose: true,
    type: 'charset.unsupported',
    charset,
  });

/**
 * The /graphql body parsed with every JSON number kept exactly: a jsonb
 * payload or rationale of `12345678901234567890` or `1e400` is recorded as
 * sent, not as the double JSON.parse makes of it (`12345678901234567000`,
 * null). body-parser keeps doing all it does (the size limit, gzip, charsets,
 * the strict syntax check and its error types); it has no parser option, so
 * its `verify` hook keeps the raw bytes and, only when the text may hold a
 * number a double cannot (parseExternalJson's test), the body is parsed again
 * with lossless-json. Numbers a double holds exactly stay JavaScript numbers,
 * so Int and Float variables work as before; a LosslessNumber where GraphQL
 * expects an Int or Float is refused by graphql-js's coercion (BAD_USER_INPUT).
 */
export function exactJsonBody(limit: number): RequestHandler[] {
  const parseNatively = express.json({
    limit,
    verify: (request, _response, bytes, charset) => {
      rawBodies.set(request as Request, { bytes, charset: charset || 'utf-8' });
    },
  });
  const parseAgainExactly: RequestHandler = (request, _response, next) => {
    const raw = rawBodies.get(request);
    if (!raw) return next();
    rawBodies.delete(request);
    let text: string;
    try {
      // TextDecoder drops a byte-order mark as iconv-lite does for body-parser.
      text = new TextDecoder(raw.charset).decode(raw.bytes);
    } catch {
      // A utf-* charset iconv-lite reads and TextDecoder does not (UTF-32, UTF-7): refused rather than rounded.
      return next(unsupportedCharset(raw.charset));
    }
    if (!mayHoldInexactNumber(text) || nestsDeeperThan(request.body, REPARSE_DEPTH)) return next();
    // body-parser parsed it already, so this text is valid JSON.
    request.body = parseExactJson(text);
    next();
  };
  return [parseNatively, parseAgainExactly];
}
