import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { ApiPayload } from '../entities';
import { manyPerKey } from './batch';

/** IngestionRun.payloads: what each run fetched, in the order it was fetched. */
export const payloadsByIngestionRun = (em: EntityManager) =>
  new DataLoader<string, ApiPayload[]>(async (runIds) => {
    const payloads = await em.find(
      ApiPayload,
      { ingestionRun: { $in: [...runIds] } },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return manyPerKey(runIds, payloads, (payload) => payload.ingestionRun?.id);
  });
