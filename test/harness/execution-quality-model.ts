/**
 * The execution-quality report computed in memory, in BigInt fixed point, as
 * the report's description says it is: the property test's reference, sharing
 * no code with the SQL.
 */

/** One generated execution, with its decision (or none) and broker payloads. */
export type ModelExecution = {
  decision: {
    strategy: string;
    symbol: string;
    side: 'buy' | 'sell';
    limitPrice: string | null;
    /** The rationale's raw JSON text, or null for no rationale. */
    rationale: string | null;
    createdMicros: bigint;
  } | null;
  /** The request body's raw JSON text, or null for no request payload. */
  request: { body: string; createdMicros: bigint } | null;
  response: { latencyMs: number | null; createdMicros: bigint } | null;
  filledQuantity: string;
  fillPrice: string | null;
  submittedMicros: bigint;
  filledMicros: bigint | null;
};

const SCALE = 8;
const ONE = 10n ** BigInt(SCALE);

/** A plain decimal ("12.5", "-0.00000001") as an integer count of 10^-8, or null when it has more decimals. */
export function units(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match || (match[3] ?? '').length > SCALE) throw new Error(`not a decimal with ≤ 8 decimals: ${text}`);
  const value = BigInt(match[2]!) * ONE + BigInt((match[3] ?? '').padEnd(SCALE, '0'));
  return match[1] ? -value : value;
}

/** `value × 10^-scale` as PostgreSQL prints numeric: `fixed` decimals, or trailing zeros trimmed (trim_scale). */
export function decimal(value: bigint, scale: number, fixed: boolean): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  let whole = digits.slice(0, digits.length - scale);
  let fraction = digits.slice(digits.length - scale);
  if (!fixed) fraction = fraction.replace(/0+$/, '');
  if (scale === 0) whole = digits;
  const text = fraction ? `${whole}.${fraction}` : whole;
  return negative && /[1-9]/.test(text) ? `-${text}` : text;
}

/** `numerator / denominator` (denominator > 0) rounded half away from zero to an integer. */
export function roundedQuotient(numerator: bigint, denominator: bigint): bigint {
  const magnitude = ((numerator < 0n ? -numerator : numerator) * 2n + denominator) / (2n * denominator);
  return numerator < 0n ? -magnitude : magnitude;
}

/** A price a JSON value holds as the report reads it: a positive number, or a string of plain digits. */
function jsonPrice(raw: string | undefined): bigint | null {
  if (raw === undefined) return null;
  const isString = raw.startsWith('"');
  const text = isString ? (JSON.parse(raw) as string) : raw;
  if (isString && !/^[0-9]{1,20}(\.[0-9]{1,20})?$/.test(text)) return null;
  if (!/^-?\d+(\.\d+)?$/.test(text)) return null;
  const value = units(text);
  return value > 0n ? value : null;
}

/** The raw JSON text of one top-level key of a flat object written by the generator below. */
function rawMember(json: string | null, key: string): string | undefined {
  if (json === null) return undefined;
  const match = new RegExp(`"${key}":\\s*("[^"]*"|[^,}]+)`).exec(json);
  return match?.[1]?.trim();
}

const milliseconds = (micros: bigint) => decimal(micros, 3, true);

/** Nearest rank: the first value whose position reaches `p` of the count. */
function percentile(sorted: bigint[], p: number): bigint {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function latency(values: (bigint | null)[]) {
  const measured = values
    .filter((value): value is bigint => value !== null)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (measured.length === 0) return { measured: 0, p50: null, p95: null, max: null };
  return {
    measured: measured.length,
    p50: milliseconds(percentile(measured, 0.5)),
    p95: milliseconds(percentile(measured, 0.95)),
    max: milliseconds(measured.at(-1)!),
  };
}

/** The report's rows for these executions (all in the period), in no particular order. */
export function executionQualityModel(executions: ModelExecution[]) {
  const groups = new Map<string, ModelExecution[]>();
  for (const execution of executions) {
    const strategy = execution.decision?.strategy ?? null;
    const symbol =
      execution.decision?.symbol ??
      (rawMember(execution.request?.body ?? null, 'symbol')?.replaceAll('"', '') || '(unknown)');
    const key = JSON.stringify([strategy, symbol]);
    groups.set(key, [...(groups.get(key) ?? []), execution]);
  }
  return [...groups].map(([key, members]) => {
    const [strategy, symbol] = JSON.parse(key) as [string | null, string];
    const sources = { limitPrice: 0, rationale: 0, request: 0, none: 0 };
    let cost = 0n;
    let quantity = 0n;
    let notional = 0n;
    let worst: bigint | null = null;
    for (const execution of members) {
      const filled = units(execution.filledQuantity);
      if (filled <= 0n) continue;
      const requestSide = rawMember(execution.request?.body ?? null, 'side')?.replaceAll('"', '');
      const side = execution.decision?.side ?? requestSide;
      const candidates: [keyof typeof sources, bigint | null][] = [
        ['limitPrice', execution.decision?.limitPrice ? units(execution.decision.limitPrice) : null],
        ['rationale', jsonPrice(rawMember(execution.decision?.rationale ?? null, 'reference_price'))],
        ['request', jsonPrice(rawMember(execution.request?.body ?? null, 'limit_price'))],
      ];
      const found = candidates.find(([, price]) => price !== null);
      if (execution.fillPrice === null || (side !== 'buy' && side !== 'sell') || !found) {
        sources.none += 1;
        continue;
      }
      const [source, reference] = found as [keyof typeof sources, bigint];
      sources[source] += 1;
      const fill = units(execution.fillPrice);
      const slippage = side === 'buy' ? fill - reference : reference - fill;
      cost += slippage * filled;
      quantity += filled;
      notional += reference * filled;
      const bps = roundedQuotient(slippage * 1_000_000n, reference);
      worst = worst === null || bps > worst ? bps : worst;
    }
    const priced = quantity > 0n;
    return {
      strategy,
      symbol,
      executions: members.length,
      fills: members.filter((execution) => units(execution.filledQuantity) > 0n).length,
      referenceFromLimitPrice: sources.limitPrice,
      referenceFromRationale: sources.rationale,
      referenceFromRequest: sources.request,
      withoutReference: sources.none,
      decisionLatency: latency(members.map((e) => (e.decision ? e.submittedMicros - e.decision.createdMicros : null))),
      brokerLatency: latency(
        members.map((e) =>
          e.response === null
            ? null
            : e.response.latencyMs !== null
              ? BigInt(e.response.latencyMs) * 1000n
              : e.request === null
                ? null
                : e.response.createdMicros - e.request.createdMicros,
        ),
      ),
      fillLatency: latency(
        members.map((e) =>
          units(e.filledQuantity) > 0n && e.filledMicros !== null ? e.filledMicros - e.submittedMicros : null,
        ),
      ),
      slippageCost: priced ? decimal(cost, 2 * SCALE, false) : null,
      averageSlippage: priced ? decimal(roundedQuotient(cost, quantity), SCALE, true) : null,
      slippageBps: priced ? decimal(roundedQuotient(cost * 1_000_000n, notional), 2, true) : null,
      worstSlippageBps: worst === null ? null : decimal(worst, 2, true),
    };
  });
}
