import { randomBytes } from 'node:crypto';

/** A request's place in a distributed trace (W3C Trace Context, level 1). */
export type TraceContext = {
  /** 32 lowercase hex digits, never all zeros: the whole trace's id, carried on log lines and the audit entry. */
  traceId: string;
  /** 16 lowercase hex digits: the caller's span, the parent of the gateway's. */
  parentId: string | null;
  /** 2 lowercase hex digits (bit 0: sampled), passed on as received. */
  flags: string;
};

/**
 * Version 00 only, exactly 55 characters, lowercase hex: the specification
 * tells a receiver to refuse anything else (upper case, a longer version 00,
 * version ff) rather than guess.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZEROS = /^0+$/;

/** The trace a `traceparent` header names, or undefined for a missing, repeated or malformed one. */
export function parseTraceparent(header: string | string[] | undefined): TraceContext | undefined {
  if (typeof header !== 'string') return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, traceId, parentId, flags] = match as unknown as [string, string, string, string];
  if (ZEROS.test(traceId) || ZEROS.test(parentId)) return undefined;
  return { traceId, parentId, flags };
}

const randomHex = (bytes: number) => {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (!ZEROS.test(hex)) return hex;
  }
};

/** The header's trace, else a new one (not sampled) that this request starts. */
export function traceOf(header: string | string[] | undefined): TraceContext {
  return parseTraceparent(header) ?? { traceId: randomHex(16), parentId: null, flags: '00' };
}

/** The `traceparent` the gateway answers with: the same trace, the gateway's own span as the parent. */
export function traceparentOf(trace: TraceContext, spanId: string = randomHex(8)): string {
  return `00-${trace.traceId}-${spanId}-${trace.flags}`;
}
