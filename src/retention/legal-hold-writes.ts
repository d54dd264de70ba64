import type { EntityManager } from '@mikro-orm/postgresql';
import { checkedActor } from '../base/actor';
import { BadInputError, RecordNotFoundError } from '../base/errors';
import { LogType } from '../entities/audit-event.entity';
import { appendEvent } from '../record/append-event';
import { inWriteTransaction } from '../record/write-transaction';
import { checkedReason, checkedScope, type HoldScopeInput, type StoredScope } from './legal-hold-input';

export type PlacedHold = { id: string; scope: StoredScope; reason: string; actor: string; eventSeq: string };
export type ReleasedHold = { id: string; reason: string; actor: string; eventSeq: string };

/** The scope as the event says it: only the columns the kind sets. */
const scopeData = (scope: StoredScope) =>
  Object.fromEntries(Object.entries(scope).filter(([, value]) => value !== null)) as Record<string, string>;

/**
 * Places a legal hold and appends its `legal_hold_placed` COMPLIANCE event
 * in one transaction: both or neither (the database refuses a hold whose
 * event is missing at commit).
 */
export async function placeLegalHold(
  em: EntityManager,
  request: { scope: HoldScopeInput; reason: string; actor: string },
): Promise<PlacedHold> {
  const scope = checkedScope(request.scope);
  const reason = checkedReason(request.reason);
  const actor = checkedActor(request.actor, 'actor');
  return inWriteTransaction(em, async (trx) => {
    const {
      rows: [row],
    } = await trx.raw(
      `insert into legal_holds (scope_kind, symbol, account, strategy, period_from, period_to, reason, actor)
       values (?, ?, ?, ?, ?::date, ?::date, ?, ?) returning id::text`,
      [scope.kind, scope.symbol, scope.account, scope.strategy, scope.from, scope.to, reason, actor],
    );
    const event = await appendEvent(trx, {
      logType: LogType.COMPLIANCE,
      event: 'legal_hold_placed',
      data: { holdId: row.id, scope: scopeData(scope), reason },
      actor,
    });
    return { id: row.id as string, scope, reason, actor, eventSeq: event.seq };
  });
}

/**
 * Releases an active hold: an appended release and its `legal_hold_released`
 * COMPLIANCE event, in one transaction. An unknown hold is RECORD_NOT_FOUND;
 * one released already is BAD_USER_INPUT (a hold is released once).
 */
export async function releaseLegalHold(
  em: EntityManager,
  request: { id: string; reason: string; actor: string },
): Promise<ReleasedHold> {
  if (!/^[1-9]\d{0,17}$/.test(request.id))
    throw new BadInputError(
      `hold id must be a hold's number, as hold list shows it; got ${JSON.stringify(request.id.slice(0, 40))}`,
      'id',
    );
  const reason = checkedReason(request.reason);
  const actor = checkedActor(request.actor, 'actor');
  return inWriteTransaction(em, async (trx) => {
    // The hold's row is locked so that two releases of it queue; the second finds the first's row.
    const { rows } = await trx.raw(
      `select h.id::text, r.legal_hold_id is not null as released
         from legal_holds h left join legal_hold_releases r on r.legal_hold_id = h.id
        where h.id = ? for update of h`,
      [request.id],
    );
    if (rows.length === 0) throw new RecordNotFoundError(`no legal hold has id ${request.id}`, 'id');
    if (rows[0].released) throw new BadInputError(`legal hold ${request.id} is released already`, 'id');
    await trx.raw(`insert into legal_hold_releases (legal_hold_id, reason, actor) values (?, ?, ?)`, [
      request.id,
      reason,
      actor,
    ]);
    const event = await appendEvent(trx, {
      logType: LogType.COMPLIANCE,
      event: 'legal_hold_released',
      data: { holdId: request.id, reason },
      actor,
    });
    return { id: request.id, reason, actor, eventSeq: event.seq };
  });
}
