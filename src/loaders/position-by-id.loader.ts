import type { EntityManager } from '@mikro-orm/postgresql';
import { Position } from '../entities';
import { uniqueKeyLoader } from './batch';

/** TradeExecution.position and the `position(id:)` lookup. */
export const positionById = (em: EntityManager) => uniqueKeyLoader(em, Position, 'id');
