/**
 * Exact `numeric` arithmetic that PostgreSQL's own operators would round
 * twice: `round(a / b, s)` first rounds the quotient to the division's
 * display scale (16 or so digits), then to `s`, so a quotient just under a
 * half can come out a unit too high. These helpers round once, from the
 * exact quotient.
 */

/** `10^-scale` as a numeric literal of exactly that scale (2 → `0.01`), so multiplying by it is exact. */
function unitOfScale(scale: number): string {
  if (!Number.isInteger(scale) || scale < 0 || scale > 20) throw new RangeError(`scale ${scale} is not 0..20`);
  return scale === 0 ? '1' : `0.${'0'.repeat(scale - 1)}1`;
}

/**
 * `numerator / denominator` rounded half away from zero to `scale` decimals,
 * from the exact quotient (`div` truncates exactly); null when either is null.
 * The denominator must be positive (callers guard it); the result has exactly
 * `scale` decimals.
 */
export function roundedQuotientSql(numerator: string, denominator: string, scale: number): string {
  const shift = `1${'0'.repeat(scale)}`;
  return (
    `(sign(${numerator}) * div(abs(${numerator}) * ${shift} * 2 + (${denominator}), 2 * (${denominator}))` +
    ` * ${unitOfScale(scale)})`
  );
}

/**
 * A positive price held in JSON: a number, or a string of plain decimal
 * digits as brokers send them ("187.25"); anything else (text, a negative or
 * zero, a nested value) is null rather than an error, since a report must not
 * fail on one odd payload. Exact: jsonb keeps numbers as `numeric`. (No `?`
 * in the pattern: knex would take it for a parameter.)
 */
export function jsonPriceSql(value: string): string {
  const number = `case jsonb_typeof(${value})
      when 'number' then (${value} #>> '{}')::numeric
      when 'string' then case when (${value} #>> '{}') ~ '^[0-9]{1,20}(\\.[0-9]{1,20}){0,1}$'
                              then (${value} #>> '{}')::numeric end
    end`;
  return `nullif(greatest(${number}, 0), 0)`;
}
