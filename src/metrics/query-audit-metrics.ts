import { Counter } from 'prom-client';
import { metricsRegistry } from './registry';

const writeFailures = new Counter({
  name: 'auditgraph_query_audit_write_failures_total',
  help: 'Query audit log entries PostgreSQL refused or could not take (each answered request whose record failed).',
  registers: [metricsRegistry],
});

/** One query audit entry that could not be appended. */
export function countQueryAuditWriteFailure(): void {
  writeFailures.inc();
}
