/** What must never reach a client: SQL, stack frames, file paths, driver and parser messages, the database's port. */
export const LEAKS = new RegExp(
  [
    /\bat \S+ \(|node_modules|\/work\/|select |from "|relation "|stacktrace|pg_/.source,
    /knex|mikro|jsonpath input|unsupported Unicode|ECONN|5432/.source,
  ].join('|'),
  'i',
);
