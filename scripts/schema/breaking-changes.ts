import {
  type BreakingChange,
  buildSchema,
  type DangerousChange,
  findBreakingChanges,
  findDangerousChanges,
} from 'graphql';
import { declaredBreakingChanges } from './changelog-declarations';
import { schemaCoordinate } from './schema-coordinate';

export interface SchemaChange {
  readonly coordinate: string;
  /** graphql-js's sentence for it. */
  readonly description: string;
}

/** How the current schema differs from the released one, against what CHANGELOG.md declares. */
export interface SchemaCompatibility {
  /** Breaking changes CHANGELOG.md does not declare: each fails the check. */
  readonly undeclared: readonly SchemaChange[];
  readonly declared: readonly SchemaChange[];
  /**
   * Declared coordinates the schema does not change: each fails the check, as a
   * leftover would silently excuse a later break of the same element, and
   * after `npm run schema:release` they are the Unreleased entries not yet
   * moved under the release.
   */
  readonly stale: readonly string[];
  /** Changes graphql-js calls dangerous (an enum value added, say): warnings, never failures. */
  readonly dangerous: readonly SchemaChange[];
}

/**
 * The rule internal tools rely on: `current` may add to `released` freely,
 * but each breaking change (graphql-js's `findBreakingChanges`) must be
 * declared by its schema coordinate in CHANGELOG.md's Unreleased Breaking
 * section. One declaration covers every change to its coordinate.
 */
export function schemaCompatibility(released: string, current: string, changelog: string): SchemaCompatibility {
  const [before, after] = [buildSchema(released), buildSchema(current)];
  const describe = (change: BreakingChange | DangerousChange): SchemaChange => ({
    coordinate: schemaCoordinate(change),
    description: change.description,
  });
  const breaking = findBreakingChanges(before, after).map(describe);
  const dangerous = findDangerousChanges(before, after).map(describe);
  const declarations = new Set(declaredBreakingChanges(changelog));
  const changed = new Set([...breaking, ...dangerous].map(({ coordinate }) => coordinate));
  return {
    undeclared: breaking.filter(({ coordinate }) => !declarations.has(coordinate)),
    declared: breaking.filter(({ coordinate }) => declarations.has(coordinate)),
    stale: [...declarations].filter((coordinate) => !changed.has(coordinate)),
    dangerous,
  };
}

export function isCompatible({ undeclared, stale }: SchemaCompatibility): boolean {
  return undeclared.length === 0 && stale.length === 0;
}

const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

const listed = (changes: readonly SchemaChange[]) =>
  changes.map(({ coordinate, description }) => `  \`${coordinate}\`: ${description}`);

/** What `npm run schema:check` prints: each failure with how to resolve it, then the warnings. */
export function compatibilityReport(result: SchemaCompatibility, released: string): string {
  const lines: string[] = [];
  const breaks = counted(result.undeclared.length, 'breaking change');
  if (result.undeclared.length > 0)
    lines.push(
      `schema.graphql has ${breaks} from ${released} that CHANGELOG.md does not declare:`,
      ...listed(result.undeclared),
      'Internal tools query these. If a break is intended, declare it in CHANGELOG.md under `## [Unreleased]`,',
      'heading `### Breaking`, one bullet per coordinate, starting with the coordinate in backticks:',
      ...[...new Set(result.undeclared.map(({ coordinate }) => coordinate))].map(
        (coordinate) => `  - \`${coordinate}\` <what changed, and what tools should use instead>`,
      ),
    );
  if (result.stale.length > 0)
    lines.push(
      `CHANGELOG.md's Unreleased Breaking section declares what schema.graphql does not change against ${released}:`,
      ...result.stale.map((coordinate) => `  \`${coordinate}\``),
      'Remove the bullet, or, if that release made the change, move the Unreleased entries under its own heading.',
    );
  if (result.dangerous.length > 0)
    lines.push(
      'Dangerous changes (allowed; tools that list every value or member may need to follow):',
      ...listed(result.dangerous),
    );
  if (isCompatible(result))
    lines.push(
      `schema.graphql is compatible with ${released} (${counted(result.declared.length, 'declared breaking change')}).`,
    );
  return lines.join('\n');
}
