import fc from 'fast-check';
import { Role } from '../src/auth/roles';
import { parseTraceparent, traceparentOf } from '../src/server/trace/traceparent';
import { type HttpTestGateway, startHttpTestGateway } from './harness/http-gateway';
import { serveOnTestDatabase } from './harness/cli';

const hex = (length: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const notZeros = (length: number) => hex(length).filter((text) => /[^0]/.test(text));
const validParts = fc.record({ traceId: notZeros(32), parentId: notZeros(16), flags: hex(2) });
const headerOf = (parts: { traceId: string; parentId: string | null; flags: string }, version = '00') =>
  `${version}-${parts.traceId}-${parts.parentId}-${parts.flags}`;

describe('parseTraceparent (W3C Trace Context, version 00)', () => {
  it('reads any well-formed header exactly, and the answer it makes parses back to the same trace', () => {
    fc.assert(
      fc.property(validParts, notZeros(16), (parts, span) => {
        expect(parseTraceparent(headerOf(parts))).toEqual(parts);
        expect(parseTraceparent(traceparentOf(parts, span))).toEqual({ ...parts, parentId: span });
      }),
    );
  });

  it('refuses an all-zero trace or parent id', () => {
    fc.assert(
      fc.property(validParts, fc.boolean(), (parts, zeroTrace) => {
        const zeroed = zeroTrace ? { ...parts, traceId: '0'.repeat(32) } : { ...parts, parentId: '0'.repeat(16) };
        expect(parseTraceparent(headerOf(zeroed))).toBeUndefined();
      }),
    );
  });

  it('refuses another version, upper case, and any header one character off', () => {
    fc.assert(
      fc.property(
        validParts,
        hex(2).filter((version) => version !== '00'),
        fc.nat(),
        fc.string({ minLength: 1, maxLength: 1 }),
        (parts, version, at, character) => {
          const header = headerOf(parts);
          expect(parseTraceparent(headerOf(parts, version))).toBeUndefined();
          if (/[a-f]/.test(header)) expect(parseTraceparent(header.toUpperCase())).toBeUndefined();
          const index = at % header.length;
          const dropped = header.slice(0, index) + header.slice(index + 1);
          const added = header.slice(0, index) + character + header.slice(index);
          expect(parseTraceparent(dropped)).toBeUndefined();
          if (character.trim() !== '' || (index > 0 && index < header.length))
            expect(parseTraceparent(added)).toBeUndefined();
        },
      ),
    );
  });

  it('refuses anything else: missing, repeated, arbitrary text', () => {
    expect(parseTraceparent(undefined)).toBeUndefined();
    expect(parseTraceparent([headerOf({ traceId: '1'.repeat(32), parentId: '2'.repeat(16), flags: '01' })])).toBe(
      undefined,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const parsed = parseTraceparent(text);
        if (parsed) expect(headerOf(parsed)).toBe(text.trim());
      }),
    );
  });
});

describe('a request’s trace, end to end', () => {
  let gateway: HttpTestGateway;
  let secret: string;

  beforeAll(async () => {
    gateway = await startHttpTestGateway({ anonymousRead: false });
    secret = await gateway.keyFor(Role.investigator, { name: 'tracer' });
  });
  afterAll(() => gateway.close());

  const traceIdOnRecord = async (requestId: string | null) => {
    const rows = await gateway.writer.em
      .getConnection()
      .execute<{ trace_id: string | null }[]>('select trace_id from query_audit_log where request_id = ?', [requestId]);
    expect(rows).toHaveLength(1);
    return rows[0]!.trace_id;
  };

  it('joins a valid traceparent: the answer names the same trace, a span of its own, the same flags', async () => {
    const sent = `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`;
    const answer = await gateway.post({ query: '{ __typename }' }, { secret, headers: { traceparent: sent } });
    expect(answer.status).toBe(200);
    const returned = parseTraceparent(answer.headers.get('traceparent') ?? undefined)!;
    expect(returned.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(returned.parentId).not.toBe('00f067aa0ba902b7');
    expect(returned.flags).toBe('01');
    expect(await traceIdOnRecord(answer.headers.get('x-request-id'))).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it.each([
    ['a malformed header', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['a hostile one', `00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'); drop table x; --`],
  ])('ignores %s and starts a new trace, on the answer and on the record', async (_what, sent) => {
    const answer = await gateway.post({ query: '{ __typename }' }, { secret, headers: { traceparent: sent } });
    const returned = parseTraceparent(answer.headers.get('traceparent') ?? undefined)!;
    expect(returned.traceId).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(returned.flags).toBe('00');
    expect(await traceIdOnRecord(answer.headers.get('x-request-id'))).toBe(returned.traceId);
  });

  it('carries the trace of a request refused before GraphQL ran', async () => {
    const sent = `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-00`;
    const answer = await gateway.post({ query: '{ __typename }' }, { headers: { traceparent: sent } });
    expect(answer.status).toBe(401);
    expect(parseTraceparent(answer.headers.get('traceparent') ?? undefined)?.traceId).toBe('ab'.repeat(16));
    expect(await traceIdOnRecord(answer.headers.get('x-request-id'))).toBe('ab'.repeat(16));
  });
});

describe('the trace on the access log', () => {
  it('is on the line `serve` logs for the request, beside its request id', async () => {
    const { gateway, stop } = await serveOnTestDatabase();
    try {
      const traceId = 'fe'.repeat(16);
      // Without a key: a 401, which the access log writes at warn.
      const answer = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${'12'.repeat(8)}-01` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      expect(answer.status).toBe(401);
      const requestId = answer.headers.get('x-request-id')!;
      const lineOf = () =>
        gateway
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { req?: { id: string }; traceId?: string })
          .find((line) => line.req?.id === requestId);
      for (let waited = 0; !lineOf() && waited < 5_000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(lineOf()).toMatchObject({ traceId, res: { statusCode: 401 } });
    } finally {
      await stop();
    }
  });
});
