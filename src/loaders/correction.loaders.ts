import type { EntityManager } from '@mikro-orm/postgresql';
import DataLoader from 'dataloader';
import { RecordCorrection } from '../entities/record-correction.entity';
import type { CorrectableTable } from '../entities/record-correction.entity';
import { type NodeType, tableOf } from '../lineage/node-types';
import { recordBatch } from '../metrics/dataloader-metrics';

/** `corrections` of every node type: the corrections of many records at once, oldest first, one statement per batch. */
export const correctionsOf = (em: EntityManager, type: NodeType) => {
  const subjectTable = tableOf(type) as CorrectableTable;
  return new DataLoader<string, RecordCorrection[]>(async (ids) => {
    recordBatch(`${type}.corrections`, ids.length);
    const found = await em.find(
      RecordCorrection,
      { subjectTable, subjectId: { $in: [...ids] } },
      { orderBy: { id: 'asc' } },
    );
    const bySubject = new Map<string, RecordCorrection[]>(ids.map((id) => [id, []]));
    for (const correction of found) bySubject.get(String(correction.subjectId))?.push(correction);
    return ids.map((id) => bySubject.get(id)!);
  });
};
