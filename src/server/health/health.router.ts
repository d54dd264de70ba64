import express from 'express';
import type { Orm } from '../../database/orm';
import { logger } from '../../base/logger';
import { checkReadiness } from './readiness';

/**
 * GET /health: liveness — the process serves HTTP (never touches the database,
 * so an orchestrator does not restart us for PostgreSQL's outage).
 * GET /health/ready: readiness — 200 when PostgreSQL answers and migrations are
 * current, 503 with the reason otherwise (in words of ours: it is anonymous,
 * and the driver's error, which names the host and port, goes to the log).
 */
export function healthRouter(orm: Orm): express.Router {
  const router = express.Router();
  let lastReady: boolean | undefined;
  router.get('/health', (_request, response) => {
    response.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  router.get('/health/ready', async (_request, response) => {
    const readiness = await checkReadiness(orm);
    // Log changes, not every probe.
    if (readiness.ready !== lastReady) {
      if (readiness.ready) logger.info('ready: database up, migrations current');
      else logger.warn({ reason: readiness.reason, err: readiness.error }, 'not ready');
      lastReady = readiness.ready;
    }
    const { ready, database, migrations } = readiness;
    const reason = readiness.ready ? {} : { reason: readiness.reason };
    response
      .status(ready ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json({ status: ready ? 'ready' : 'unavailable', database, migrations, ...reason });
  });
  return router;
}
