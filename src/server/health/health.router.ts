import express from 'express';
import type { ApiKeyVerifier } from '../../auth/api-key-verifier';
import { Permission } from '../../auth/roles';
import type { Orm } from '../../database/orm';
import { logger } from '../../base/logger';
import { requirePermission } from '../middleware/require-permission.middleware';
import { checkReadiness, type Readiness } from './readiness';
import type { ReadRouter } from '../../database/replicas/read-router';

/**
 * GET /health: liveness — the process serves HTTP (never touches the database,
 * so an orchestrator does not restart us for PostgreSQL's outage).
 * GET /health/ready: readiness — 200 `ready` when PostgreSQL answers and
 * migrations are current, 503 `unavailable` otherwise; nothing more, since it
 * is anonymous.
 * GET /health/detailed: the same check with its parts and reason, and the
 * driver's error (which names the database's host and port), and each
 * replica's state and lag, for a key whose role may read operations (admin).
 * A replica out of rotation does not make the gateway unready: its queries
 * read the primary.
 */
export function healthRouter(orm: Orm, verifier: ApiKeyVerifier, readRouter: ReadRouter): express.Router {
  const router = express.Router();
  let lastReady: boolean | undefined;
  const check = async (): Promise<Readiness> => {
    const readiness = await checkReadiness(orm);
    // Log changes, not every probe.
    if (readiness.ready !== lastReady) {
      if (readiness.ready) logger.info('ready: database up, migrations current');
      else logger.warn({ reason: readiness.reason, err: readiness.error }, 'not ready');
      lastReady = readiness.ready;
    }
    return readiness;
  };
  const statusOf = (readiness: Readiness) => (readiness.ready ? 'ready' : 'unavailable');
  router.get('/health', (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/health/ready', async (_request, response) => {
    const readiness = await check();
    response
      .status(readiness.ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: statusOf(readiness) });
  });
  router.get(
    '/health/detailed',
    ...requirePermission(Permission.readOperations, verifier),
    async (_request, response) => {
      const readiness = await check();
      const { ready, database, migrations } = readiness;
      const failure = readiness.ready
        ? {}
        : {
            reason: readiness.reason,
            ...(readiness.error ? { error: String((readiness.error as Error).message ?? readiness.error) } : {}),
          };
      response
        .status(ready ? 200 : 503)
        .set('Cache-Control', 'no-store')
        .json({ status: statusOf(readiness), database, migrations, ...failure, replicas: readRouter.statuses() });
    },
  );
  return router;
}
