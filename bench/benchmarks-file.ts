import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Writes a benchmark's report into BENCHMARKS.md between its own markers
 * (`<!-- name: begin -->` … `<!-- name: end -->`), replacing the previous
 * report; the first time, appends it under `heading`.
 */
export function writeBenchmarkSection(name: string, heading: string, report: string): void {
  const file = path.join(__dirname, '..', '..', 'BENCHMARKS.md');
  const begin = `<!-- ${name}: begin -->`;
  const end = `<!-- ${name}: end -->`;
  const current = readFileSync(file, 'utf8');
  const section = `${begin}\n${report}\n${end}`;
  const start = current.indexOf(begin);
  const next =
    start === -1
      ? `${current.trimEnd()}\n\n## ${heading}\n\n${section}\n`
      : current.slice(0, start) + section + current.slice(current.indexOf(end) + end.length);
  writeFileSync(file, next);
}
