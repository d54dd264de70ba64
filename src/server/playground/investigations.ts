import { readFileSync } from 'node:fs';
import { installationPath } from '../../base/installation-path';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';

/** One saved investigation: a playground tab. */
export type Investigation = {
  /** Human title, from `# Tab: <title>`. */
  title: string;
  /** The operation's name; GraphiQL labels tabs with it, the page relabels them with `title`. */
  operationName: string;
  /** The operation text, exactly as written in the file (leading comments included). */
  query: string;
  /** From `# Variables: <json>`; `{}` when the tab has none. */
  variables: Record<string, unknown>;
};

const TAB = /^#\s*Tab:(.*)$/;
const VARIABLES = /^#\s*Variables:(.*)$/;

export const investigationsFile = () => installationPath('examples', 'investigations.graphql');

/** Reads and parses examples/investigations.graphql; throws on a malformed file. */
export function loadInvestigations(file = investigationsFile()): Investigation[] {
  return parseInvestigations(readFileSync(file, 'utf8'), file);
}

/**
 * Splits the file at each `# Tab:` line. Anything before the first tab must be
 * comments or blank (the file's header). Each block is one named operation;
 * trailing comments and blanks belong to no tab (they introduce the next one).
 * Errors name the file and line, so a bad edit fails at start, not in a browser.
 */
export function parseInvestigations(text: string, source = 'investigations'): Investigation[] {
  const lines = text.split(/\r?\n/);
  const fail = (line: number, message: string): never => {
    throw new Error(`${source}:${line + 1}: ${message}`);
  };
  const starts: number[] = [];
  lines.forEach((line, index) => {
    if (TAB.test(line)) starts.push(index);
    else if (starts.length === 0 && line.trim() !== '' && !line.startsWith('#'))
      fail(index, 'content before the first `# Tab: <title>` line');
  });
  if (starts.length === 0) fail(0, 'no `# Tab: <title>` line: expected one per saved investigation');

  const investigations = starts.map((start, index): Investigation => {
    const title = TAB.exec(lines[start])![1].trim();
    if (!title) fail(start, '`# Tab:` needs a title');
    let bodyStart = start + 1;
    let variables: Record<string, unknown> = {};
    const variablesLine = VARIABLES.exec(lines[bodyStart] ?? '');
    if (variablesLine) {
      variables = parseVariables(variablesLine[1], (message) => fail(bodyStart, message));
      bodyStart += 1;
    }
    let bodyEnd = starts[index + 1] ?? lines.length;
    while (bodyEnd > bodyStart && /^\s*(#.*)?$/.test(lines[bodyEnd - 1])) bodyEnd -= 1;
    const query = lines.slice(bodyStart, bodyEnd).join('\n');
    if (VARIABLES.test(query)) fail(bodyStart, '`# Variables:` must be the line right after `# Tab:`');
    const operation = operationOf(query, (message) => fail(start, `tab "${title}": ${message}`));
    const definitions = operation.variableDefinitions ?? [];
    const declared = new Set(definitions.map((definition) => definition.variable.name.value));
    for (const name of Object.keys(variables)) {
      if (!declared.has(name))
        fail(bodyStart - 1, `tab "${title}": variable "${name}" is not declared by the operation`);
    }
    // A tab opens ready to Run: every variable the operation cannot do without has its value here.
    for (const definition of definitions) {
      const name = definition.variable.name.value;
      const required = definition.type.kind === Kind.NON_NULL_TYPE && !definition.defaultValue;
      if (required && !Object.hasOwn(variables, name))
        fail(start, `tab "${title}": the operation requires $${name}: give it in \`# Variables:\``);
    }
    const operationName = operation.name!.value;
    return { title, operationName, query, variables };
  });

  for (const key of ['title', 'operationName'] as const) {
    const seen = new Set<string>();
    for (const investigation of investigations) {
      if (seen.has(investigation[key])) throw new Error(`${source}: two tabs share the ${key} "${investigation[key]}"`);
      seen.add(investigation[key]);
    }
  }
  return investigations;
}

function parseVariables(json: string, fail: (message: string) => never): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    fail(`\`# Variables:\` is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('`# Variables:` must be a JSON object');
  return value as Record<string, unknown>;
}

/** The block must be exactly one named operation (fragments would be shared state across tabs). */
function operationOf(query: string, fail: (message: string) => never): OperationDefinitionNode {
  if (!query.trim()) fail('no operation after the title');
  let definitions;
  try {
    definitions = parse(query).definitions;
  } catch (error) {
    fail(`not valid GraphQL: ${(error as Error).message}`);
  }
  const [only] = definitions!;
  if (definitions!.length !== 1 || only.kind !== Kind.OPERATION_DEFINITION) fail('expected exactly one operation');
  if (only.kind !== Kind.OPERATION_DEFINITION || !only.name)
    return fail('the operation needs a name (GraphiQL labels tabs with it)');
  return only;
}
