import type { EntityManager } from '@mikro-orm/postgresql';
import { ApiPayload } from '../entities';
import { childPageLoader } from './child-page';

/** IngestionRun.payloads: what each run fetched, in the order it was fetched. */
export const payloadsByIngestionRun = (em: EntityManager) =>
  childPageLoader(em, {
    parentType: 'IngestionRun',
    field: 'payloads',
    entity: ApiPayload,
    table: 'api_payloads',
    rows: (parents) =>
      `select p.*, p.ingestion_run_id as parent_id from api_payloads p where p.ingestion_run_id = any(${parents})`,
  });
