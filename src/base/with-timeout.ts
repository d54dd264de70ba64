/**
 * Rejects when `work` has not settled within `ms`. The work itself goes on (a
 * query cannot be recalled); the caller just stops waiting — what a probe or a
 * scrape needs while PostgreSQL does not answer.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
