import type { EntityManager } from '@mikro-orm/postgresql';
import { tableNameOf } from '../database/entity-metadata';
import { RecordCorrection } from '../entities/record-correction.entity';
import { type NodeType, tableOf } from '../lineage/node-types';
import { LIST_ORDERS } from '../queries/list-order';
import { childPageLoader } from './child-page';

const CORRECTIONS = tableNameOf(RecordCorrection);

/**
 * `corrections` of every node type: the corrections of a record, oldest
 * first unless asked, paged like every node's own list — the pages of all
 * the records of one query level in one statement, their counts in one more.
 */
export const correctionsOf = (em: EntityManager, parentType: NodeType) =>
  childPageLoader(em, {
    parentType,
    field: 'corrections',
    entity: RecordCorrection,
    table: CORRECTIONS,
    orders: LIST_ORDERS.RecordCorrection,
    rows: (parents) => `select c.*, c.subject_id as parent_id
      from ${CORRECTIONS} c where c.subject_table = '${tableOf(parentType)}' and c.subject_id = any(${parents})`,
  });
