import type { Orm } from '../../src/database/orm';

/**
 * How many query audit entries carry this request id. Every answer is
 * committed to the log before it leaves, so right after an answer arrives
 * this is final: exactly 1 for a request the gateway answered.
 */
export async function auditEntriesOf(writer: Orm, requestId: string | null): Promise<number> {
  const [row] = await writer.em
    .getConnection()
    .execute<{ n: string }[]>('select count(*) as n from query_audit_log where request_id = ?', [requestId]);
  return Number(row!.n);
}
