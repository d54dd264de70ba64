import type { RequestHandler, Response } from 'express';
import { looksLikeSecret } from '../../auth/api-key-secret';
import type { ApiKeyVerifier } from '../../auth/api-key-verifier';
import { anonymousCaller, type Caller, keyCaller } from '../../auth/caller';

type AuthenticationOptions = {
  verifier: ApiKeyVerifier;
  /** Requests without a key read anonymously (else they are refused with 401). */
  anonymousRead: boolean;
  /** Told of every refusal, for the query audit log; the 401 leaves once it settles. */
  onRefused(response: Response): Promise<void>;
};

/** The caller a request was authenticated as; set by `authenticate` for everything after it. */
export function callerOf(response: Response): Caller {
  const caller = (response.locals as { caller?: Caller }).caller;
  if (!caller) throw new Error('authenticate middleware did not run before this handler');
  return caller;
}

/**
 * Express middleware: `Authorization: Bearer <key>` → the key's caller, or 401
 * UNAUTHENTICATED. A request without the header is anonymous where anonymous
 * reading is allowed. A key that is sent must be valid: a bad key is never
 * downgraded to anonymous, so a revoked key fails loudly.
 */
export function authenticate({ verifier, anonymousRead, onRefused }: AuthenticationOptions): RequestHandler {
  const refuse = (response: Response, message: string, error: 'invalid_request' | 'invalid_token' | undefined) => {
    const challenge = error ? `Bearer realm="auditgraph", error="${error}"` : 'Bearer realm="auditgraph"';
    const answer = () =>
      response
        .status(401)
        .set('WWW-Authenticate', challenge)
        .json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
    // A refusal carries no data, so it is answered even if it could not be recorded.
    onRefused(response).then(answer, answer);
  };

  return (request, response, next) => {
    const address = request.socket.remoteAddress;
    const header = request.get('authorization');
    if (header === undefined) {
      if (!anonymousRead) {
        refuse(
          response,
          'this gateway needs an API key: send `Authorization: Bearer <key>` (see `auditgraph keys create`)',
          undefined,
        );
        return;
      }
      response.locals.caller = anonymousCaller(address);
      next();
      return;
    }
    const [scheme, secret, ...rest] = header.trim().split(/\s+/);
    if (scheme?.toLowerCase() !== 'bearer' || !secret || rest.length > 0 || !looksLikeSecret(secret)) {
      refuse(
        response,
        'the Authorization header must be `Bearer <key>` with a key issued by `auditgraph keys create`',
        'invalid_request',
      );
      return;
    }
    verifier.verify(secret).then((key) => {
      if (!key) {
        refuse(response, 'the API key is not valid: unknown, revoked or expired', 'invalid_token');
        return;
      }
      response.locals.caller = keyCaller(key, address);
      next();
    }, next);
  };
}
