import {
  BreakingChangeType,
  buildSchema,
  DangerousChangeType,
  findBreakingChanges,
  findDangerousChanges,
} from 'graphql';
import { checkRepositorySchema } from '../scripts/schema-check';
import { compatibilityReport, isCompatible, schemaCompatibility } from '../scripts/schema/breaking-changes';
import { declaredBreakingChanges } from '../scripts/schema/changelog-declarations';
import { releasedSchemaText, releasedVersion } from '../scripts/schema/released-schema';
import { schemaCoordinate } from '../scripts/schema/schema-coordinate';

describe('schema.graphql against the last released schema', () => {
  it('breaks nothing CHANGELOG.md does not declare, and CHANGELOG.md declares nothing it does not break', () => {
    const { compatible, report } = checkRepositorySchema();
    expect({ compatible, report }).toEqual({ compatible: true, report: expect.stringContaining('is compatible') });
  });
});

const released = `
  type Query { decisions(first: Int): [Decision!]! decision(id: ID!): Decision }
  type Decision { id: ID! status: Status! note: String }
  enum Status { PENDING FILLED }
`;
const changelog = (...breaking: string[]) =>
  ['# Changelog', '', '## [Unreleased]', '', '### Breaking', '', ...breaking, '', '## [0.1.0] - 2026-12-01', ''].join(
    '\n',
  );
const compare = (current: string, notes = changelog()) => schemaCompatibility(released, current, notes);

describe('the breaking-change rule', () => {
  it('fails on a removed field, naming its coordinate, what graphql-js says, and how to declare it', () => {
    const result = compare(released.replace(' note: String', ''));
    expect(result.undeclared).toEqual([{ coordinate: 'Decision.note', description: 'Decision.note was removed.' }]);
    expect(isCompatible(result)).toBe(false);
    const report = compatibilityReport(result, 'the schema released as 0.1.0');
    expect(report).toContain(
      'schema.graphql has 1 breaking change from the schema released as 0.1.0 that CHANGELOG.md',
    );
    expect(report).toContain('  `Decision.note`: Decision.note was removed.');
    expect(report).toContain('  - `Decision.note` <what changed, and what tools should use instead>');
  });

  it('passes a removed field declared under Unreleased, Breaking', () => {
    const result = compare(released.replace(' note: String', ''), changelog('- `Decision.note` removed: unused.'));
    expect(result).toMatchObject({ undeclared: [], stale: [], declared: [{ coordinate: 'Decision.note' }] });
    expect(isCompatible(result)).toBe(true);
    expect(compatibilityReport(result, 'it')).toBe(
      'schema.graphql is compatible with it (1 declared breaking change).',
    );
  });

  it('does not count a declaration under a released version or another heading', () => {
    const removed = released.replace(' note: String', '');
    const underRelease = changelog().replace(
      '## [0.1.0] - 2026-12-01',
      '## [0.1.0]\n\n### Breaking\n\n- `Decision.note`',
    );
    const underRemoved = changelog().replace('### Breaking', '### Removed\n\n- `Decision.note` removed.');
    for (const notes of [underRelease, underRemoved]) expect(isCompatible(compare(removed, notes))).toBe(false);
  });

  it('passes an added field, type, enum value and optional argument, warning of the dangerous ones', () => {
    const result = compare(`
      type Query { decisions(first: Int, after: String): [Decision!]! decision(id: ID!): Decision position: Position }
      type Decision { id: ID! status: Status! note: String rationale: String }
      type Position { id: ID! }
      enum Status { PENDING FILLED CANCELLED }
    `);
    expect(result).toEqual({
      undeclared: [],
      declared: [],
      stale: [],
      dangerous: [
        { coordinate: 'Query.decisions(after:)', description: 'An optional arg after on Query.decisions was added.' },
        { coordinate: 'Status.CANCELLED', description: 'CANCELLED was added to enum type Status.' },
      ],
    });
    expect(compatibilityReport(result, 'it')).toMatch(/^Dangerous changes .*\n {2}`Query.decisions\(after:\)`: /);
  });

  it('fails on an added required argument', () => {
    const result = compare(released.replace('decisions(first: Int)', 'decisions(first: Int, strategy: String!)'));
    expect(result.undeclared).toEqual([
      {
        coordinate: 'Query.decisions(strategy:)',
        description: 'A required arg strategy on Query.decisions was added.',
      },
    ]);
  });

  it('fails on a changed type, a nullable answer included', () => {
    const result = compare(
      released.replace('status: Status!', 'status: String!').replace('Decision { id: ID!', 'Decision { id: ID'),
    );
    expect(result.undeclared).toEqual([
      { coordinate: 'Decision.id', description: 'Decision.id changed type from ID! to ID.' },
      { coordinate: 'Decision.status', description: 'Decision.status changed type from Status! to String!.' },
    ]);
  });

  it('fails on a declaration of what does not change, so none outlives its release', () => {
    const result = compare(released, changelog('- `Decision.status` changed type: a string.'));
    expect(result).toMatchObject({ undeclared: [], stale: ['Decision.status'] });
    expect(isCompatible(result)).toBe(false);
    expect(compatibilityReport(result, 'it')).toContain('declares what schema.graphql does not change against it:');
  });

  it('leaves alone Breaking bullets that do not start with a schema coordinate', () => {
    const notes = changelog('- `auditgraph report --legacy` removed.', '- The CLI prints `table` by default.');
    expect(isCompatible(compare(released, notes))).toBe(true);
  });
});

describe('declarations in CHANGELOG.md', () => {
  it('are the coordinates starting bullets under Unreleased, Breaking', () => {
    const notes = [
      '# Changelog',
      '- `Query.outside` before any section',
      '## [unreleased]',
      '### Added',
      '- `Query.added`',
      '### Breaking',
      '- `Query.decisions` removed',
      '* `Decision.status` changed type',
      '  + `Query.decisions(first:)` nested',
      '- `@deprecated(reason:)`',
      '- `Status.PENDING`, and more text with `Query.ignored`',
      'A paragraph `Query.prose`.',
      '### Fixed',
      '- `Query.fixed`',
      '## [0.1.0]',
      '### Breaking',
      '- `Query.old`',
    ].join('\n');
    expect(declaredBreakingChanges(notes)).toEqual([
      'Query.decisions',
      'Decision.status',
      'Query.decisions(first:)',
      '@deprecated(reason:)',
      'Status.PENDING',
    ]);
  });
});

describe('the released schema file', () => {
  it('is schema.graphql under a header naming its release', () => {
    const generated = '# Generated from the code by `npm run schema`; do not edit.\n\ntype Query {\n  a: Int\n}\n';
    const text = releasedSchemaText(generated, '0.2.0');
    expect(text.split('\n').slice(1)).toEqual(generated.split('\n').slice(1));
    expect(releasedVersion(text)).toBe('0.2.0');
  });
});

describe('schema coordinates of graphql-js changes', () => {
  // Every kind of change graphql-js reports, so a reworded description fails here rather than in CI on a real change.
  const before = buildSchema(`
    directive @gone on FIELD
    directive @trimmed(a: Int, b: Int) repeatable on FIELD | QUERY
    type Query {
      f(arg: Int, other: Int, defaulted: Int = 1, undefaulted: Int = 1): Int
      removed: Float
      retyped: Int
      u: U
      o: O
      e: E
    }
    interface I { x: Int }
    interface J { x: Int }
    type O implements I { x: Int }
    type A { x: Int }
    type B { x: Int }
    type C { x: Int }
    union U = A | B
    enum E { KEPT DROPPED }
    type K { x: Int }
    type Gone { x: Int }
    input In { x: Int }
  `);
  const after = buildSchema(`
    directive @trimmed(b: Int, required: Int!) on QUERY
    type Query {
      f(other: String, defaulted: Int = 2, undefaulted: Int, needed: Int!, optional: Int): Int
      retyped: String
      u: U
      o: O
      e: E
    }
    interface I { x: Int }
    interface J { x: Int }
    type O implements J { x: Int }
    type A { x: Int }
    type B { x: Int }
    type C { x: Int }
    union U = A | C
    enum E { KEPT ADDED }
    input K { x: Int }
    input In { x: Int required: Int! optional: Int }
  `);
  const changes = [...findBreakingChanges(before, after), ...findDangerousChanges(before, after)];

  it('are read for every kind', () => {
    expect(new Set(changes.map(({ type }) => type))).toEqual(
      new Set([...Object.values(BreakingChangeType), ...Object.values(DangerousChangeType)]),
    );
    expect(changes.map((change) => `${change.type} ${schemaCoordinate(change)}`).sort()).toEqual(
      [
        'ARG_CHANGED_KIND Query.f(other:)',
        'ARG_DEFAULT_VALUE_CHANGE Query.f(defaulted:)',
        'ARG_DEFAULT_VALUE_CHANGE Query.f(undefaulted:)',
        'ARG_REMOVED Query.f(arg:)',
        'DIRECTIVE_ARG_REMOVED @trimmed(a:)',
        'DIRECTIVE_LOCATION_REMOVED @trimmed',
        'DIRECTIVE_REMOVED @gone',
        'DIRECTIVE_REPEATABLE_REMOVED @trimmed',
        'FIELD_CHANGED_KIND Query.retyped',
        'FIELD_REMOVED Query.removed',
        'IMPLEMENTED_INTERFACE_ADDED O',
        'IMPLEMENTED_INTERFACE_REMOVED O',
        'OPTIONAL_ARG_ADDED Query.f(optional:)',
        'OPTIONAL_INPUT_FIELD_ADDED In.optional',
        'REQUIRED_ARG_ADDED Query.f(needed:)',
        'REQUIRED_DIRECTIVE_ARG_ADDED @trimmed(required:)',
        'REQUIRED_INPUT_FIELD_ADDED In.required',
        'TYPE_ADDED_TO_UNION U',
        'TYPE_CHANGED_KIND K',
        'TYPE_REMOVED Float',
        'TYPE_REMOVED Gone',
        'TYPE_REMOVED_FROM_UNION U',
        'VALUE_ADDED_TO_ENUM E.ADDED',
        'VALUE_REMOVED_FROM_ENUM E.DROPPED',
      ].sort(),
    );
  });

  it('refuse a description they cannot read', () => {
    expect(() =>
      schemaCoordinate({ type: BreakingChangeType.FIELD_REMOVED, description: 'Query.f went away.' }),
    ).toThrow(/graphql-js described a FIELD_REMOVED change as "Query.f went away."/);
  });
});
