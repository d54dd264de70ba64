import { readFileSync } from 'node:fs';
import path from 'node:path';

/** README.md as users read it: tests check its examples and figures against what the code does. */
export function readme(): string {
  return readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
}

/** The README's GraphQL block holding `operation` (e.g. `mutation RecordADecisionAndItsCancellation`), as shown. */
export function readmeOperation(operation: string): string {
  const block = [...readme().matchAll(/```graphql\n([\s\S]*?)```/g)]
    .map((match) => match[1]!)
    .find((text) => text.includes(`${operation} {`));
  if (!block) throw new Error(`README.md shows no GraphQL block with "${operation}"`);
  return block;
}
