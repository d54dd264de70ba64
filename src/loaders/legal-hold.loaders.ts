import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { recordBatch } from '../metrics/dataloader-metrics';
import { payloadUnderHoldSql } from '../retention/legal-holds';

/**
 * `ApiPayload.underLegalHold`: which of one query level's payloads an active
 * hold keeps, in one statement, by the purge's own predicate.
 */
export const payloadUnderHold = (em: EntityManager) =>
  new DataLoader<string, boolean>(async (ids) => {
    recordBatch('ApiPayload.underLegalHold', ids.length);
    const { rows } = (await em
      .getKnex()
      .raw(`select p.id::text from api_payloads p where p.id = any(?::bigint[]) and ${payloadUnderHoldSql('p')}`, [
        [...ids],
      ])) as { rows: { id: string }[] };
    const held = new Set(rows.map((row) => row.id));
    return ids.map((id) => held.has(id));
  });
