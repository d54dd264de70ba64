import { type BreakingChange, BreakingChangeType, type DangerousChange, DangerousChangeType } from 'graphql';

const NAME = '[_A-Za-z][_0-9A-Za-z]*';

/** A pattern over graphql-js's description, its named groups the parts of a schema coordinate. */
function described(source: string): RegExp {
  return new RegExp(`^${source.replaceAll('NAME', NAME)}$`);
}

/**
 * graphql-js 16 reports a change as a kind and an English sentence, with no
 * coordinate; these read the coordinate back out of each kind's sentence.
 * Keyed by every kind, so the compiler names a kind a graphql upgrade adds,
 * and the tests produce every kind, so they catch a sentence it rewords.
 */
const DESCRIPTIONS: Record<BreakingChangeType | DangerousChangeType, RegExp> = {
  [BreakingChangeType.TYPE_REMOVED]: described(
    '(?:Standard scalar )?(?<type>NAME) was removed(?: because it is not referenced anymore)?\\.',
  ),
  [BreakingChangeType.TYPE_CHANGED_KIND]: described('(?<type>NAME) changed from .+ to .+\\.'),
  [BreakingChangeType.TYPE_REMOVED_FROM_UNION]: described('NAME was removed from union type (?<type>NAME)\\.'),
  [BreakingChangeType.VALUE_REMOVED_FROM_ENUM]: described('(?<value>NAME) was removed from enum type (?<type>NAME)\\.'),
  [BreakingChangeType.REQUIRED_INPUT_FIELD_ADDED]: described(
    'A required field (?<field>NAME) on input type (?<type>NAME) was added\\.',
  ),
  [BreakingChangeType.IMPLEMENTED_INTERFACE_REMOVED]: described('(?<type>NAME) no longer implements interface NAME\\.'),
  [BreakingChangeType.FIELD_REMOVED]: described('(?<type>NAME)\\.(?<field>NAME) was removed\\.'),
  [BreakingChangeType.FIELD_CHANGED_KIND]: described('(?<type>NAME)\\.(?<field>NAME) changed type from .+ to .+\\.'),
  [BreakingChangeType.REQUIRED_ARG_ADDED]: described(
    'A required arg (?<arg>NAME) on (?<type>NAME)\\.(?<field>NAME) was added\\.',
  ),
  [BreakingChangeType.ARG_REMOVED]: described('(?<type>NAME)\\.(?<field>NAME) arg (?<arg>NAME) was removed\\.'),
  [BreakingChangeType.ARG_CHANGED_KIND]: described(
    '(?<type>NAME)\\.(?<field>NAME) arg (?<arg>NAME) has changed type from .+ to .+\\.',
  ),
  [BreakingChangeType.DIRECTIVE_REMOVED]: described('(?<directive>NAME) was removed\\.'),
  [BreakingChangeType.DIRECTIVE_ARG_REMOVED]: described('(?<arg>NAME) was removed from (?<directive>NAME)\\.'),
  [BreakingChangeType.REQUIRED_DIRECTIVE_ARG_ADDED]: described(
    'A required arg (?<arg>NAME) on directive (?<directive>NAME) was added\\.',
  ),
  [BreakingChangeType.DIRECTIVE_REPEATABLE_REMOVED]: described(
    'Repeatable flag was removed from (?<directive>NAME)\\.',
  ),
  [BreakingChangeType.DIRECTIVE_LOCATION_REMOVED]: described('NAME was removed from (?<directive>NAME)\\.'),
  [DangerousChangeType.VALUE_ADDED_TO_ENUM]: described('(?<value>NAME) was added to enum type (?<type>NAME)\\.'),
  [DangerousChangeType.TYPE_ADDED_TO_UNION]: described('NAME was added to union type (?<type>NAME)\\.'),
  [DangerousChangeType.OPTIONAL_INPUT_FIELD_ADDED]: described(
    'An optional field (?<field>NAME) on input type (?<type>NAME) was added\\.',
  ),
  [DangerousChangeType.OPTIONAL_ARG_ADDED]: described(
    'An optional arg (?<arg>NAME) on (?<type>NAME)\\.(?<field>NAME) was added\\.',
  ),
  [DangerousChangeType.IMPLEMENTED_INTERFACE_ADDED]: described(
    'NAME added to interfaces implemented by (?<type>NAME)\\.',
  ),
  [DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE]: described(
    '(?<type>NAME)\\.(?<field>NAME) arg (?<arg>NAME) ' +
      '(?:defaultValue was removed|has changed defaultValue from .+ to .+)\\.',
  ),
};

/**
 * The schema coordinate (GraphQL's own notation: `Type`, `Type.field`,
 * `Type.field(arg:)`, `Enum.VALUE`, `@directive`, `@directive(arg:)`) of the
 * element a change touches. A change to a type's members that have no
 * coordinate of their own — a union losing a member, an object an interface —
 * is the type's.
 */
export function schemaCoordinate(change: BreakingChange | DangerousChange): string {
  const parts = DESCRIPTIONS[change.type].exec(change.description)?.groups;
  if (!parts)
    throw new Error(
      `graphql-js described a ${change.type} change as "${change.description}", which no longer reads as ` +
        'scripts/schema/schema-coordinate.ts expects: update its pattern',
    );
  const { type, field, value, arg, directive } = parts;
  const element = directive ? `@${directive}` : `${type}${field || value ? `.${field ?? value}` : ''}`;
  return arg ? `${element}(${arg}:)` : element;
}
