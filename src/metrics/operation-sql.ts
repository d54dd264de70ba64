import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import { Histogram } from 'prom-client';
import type { Orm } from '../database/orm';
import { metricsRegistry } from './registry';

/**
 * SQL statements per GraphQL operation. The driver's `query` event knows no
 * request, so each HTTP operation runs inside an AsyncLocalStorage scope that
 * the event handler counts into; DataLoader batches run in the scope of the
 * request whose loaders they belong to.
 */
const statementsPerOperation = new Histogram({
  name: 'auditgraph_graphql_operation_sql_statements',
  help: 'SQL statements sent to PostgreSQL per GraphQL operation.',
  labelNames: ['operation_type'] as const,
  buckets: [0, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64],
  registers: [metricsRegistry],
});

type OperationScope = { statements: number };
const scope = new AsyncLocalStorage<OperationScope>();
const counting = new WeakSet<object>();

/** Counts every statement `orm` sends into the scope of the operation that sent it. */
export function countOperationStatements(orm: Orm): void {
  const knex = orm.em.getConnection().getKnex();
  if (counting.has(knex)) return;
  counting.add(knex);
  knex.on('query', () => {
    const current = scope.getStore();
    if (current) current.statements += 1;
  });
}

/** Express middleware: the rest of the request runs in a fresh scope. Mount it after the body parser. */
export const operationSqlScope: RequestHandler = (_request, _response, next) => scope.run({ statements: 0 }, next);

/** Called when the operation's response is ready. */
export function recordOperationStatements(operationType: string): void {
  const current = scope.getStore();
  if (current) statementsPerOperation.observe({ operation_type: operationType }, current.statements);
}
