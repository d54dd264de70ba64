import { logger } from '../../base/logger';
import { withTimeout } from '../../base/with-timeout';
import { createOrm, type Orm } from '../orm';
import { ReplayLag } from './replay-lag';
import { walPosition } from './wal-position';

/**
 * - `in_rotation`: answers and replays within the lag bound; queries read it.
 * - `lagging`: answers, but further behind the primary than the bound.
 * - `down`: did not answer the newest probe, or a query found it gone.
 * - `not_standby`: answers, but is not in recovery (a promoted replica, or a primary's URL).
 */
export type ReplicaState = 'in_rotation' | 'lagging' | 'down' | 'not_standby';

export type ReplicaStatus = {
  /** host:port/database: the URL without user or password, as metrics and health label it. */
  name: string;
  state: ReplicaState;
  /** Behind the primary by, as of the newest probe that could tell; undefined while down. */
  lagMs: number | undefined;
  /** Why it is out of rotation. */
  reason?: string;
};

/** A replica a query may read from: its own pool of read-only, time-limited sessions. */
export type Replica = { readonly name: string; readonly orm: Orm };

export type ReadRouterSettings = {
  urls: string[];
  maxLagMs: number;
  checkIntervalMs: number;
  poolMax: number;
  statementTimeoutMs: number;
};

/** What a probe waits for a server, as the readiness probe does. */
const PROBE_TIMEOUT_MS = 2_000;

/** `probed`: whether any probe has set its state yet (the first one is logged whatever it finds). */
type Member = Replica & { status: ReplicaStatus; probed: boolean };

/**
 * Where a GraphQL query reads: one of the streaming replicas in rotation, in
 * turn, or the primary when none is. Every read path of a request (the
 * ORM, the loaders' named statements, read-ahead, reports, search) goes
 * through the EntityManager the request was given, so choosing the
 * request's ORM routes all of them; MikroORM's own `replicas` picks one at
 * random, unchecked, and only for the ORM's own reads.
 *
 * Each probe reads the primary's flushed WAL position, then each replica's
 * replayed one: a replica is in rotation while it answers, is in recovery
 * and is at most `maxLagMs` behind (ReplayLag).
 */
export class ReadRouter {
  private turn = 0;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly primary: Orm,
    private readonly members: Member[],
    private readonly settings: ReadRouterSettings,
    private readonly lag: ReplayLag,
  ) {}

  /** Opens a pool per replica (none connects yet) and probes them once, so queries read replicas from the start. */
  static async open(primary: Orm, settings: ReadRouterSettings): Promise<ReadRouter> {
    const members = await Promise.all(
      settings.urls.map(async (url): Promise<Member> => {
        const name = replicaName(url);
        const orm = await createOrm({
          databaseUrl: url,
          poolMax: settings.poolMax,
          session: { readOnly: true, statementTimeoutMs: settings.statementTimeoutMs },
          replica: true,
        });
        return {
          name,
          orm,
          probed: false,
          status: { name, state: 'down', lagMs: undefined, reason: 'not probed yet' },
        };
      }),
    );
    // Samples are kept long enough that a replica stalled past the bound is seen as such.
    const horizonMs = 2 * settings.maxLagMs + 4 * settings.checkIntervalMs;
    const router = new ReadRouter(primary, members, settings, new ReplayLag(horizonMs));
    if (members.length > 0) {
      await router.probe();
      router.schedule();
    }
    return router;
  }

  /** The replica the next query reads, in turn among those in rotation; undefined: read the primary. */
  pick(): Replica | undefined {
    const inRotation = this.members.filter((member) => member.status.state === 'in_rotation');
    if (inRotation.length === 0) return undefined;
    this.turn = (this.turn + 1) % inRotation.length;
    return inRotation[this.turn];
  }

  /** A query found `replica` unreachable: out of rotation at once, until a probe finds it back. */
  lost(replica: Replica, error: unknown): void {
    const member = this.members.find((candidate) => candidate === replica);
    if (member) this.setStatus(member, 'down', undefined, `a query lost its connection: ${messageOf(error)}`);
  }

  /** Every replica, in or out of rotation. */
  get replicas(): readonly Replica[] {
    return this.members;
  }

  statuses(): ReplicaStatus[] {
    return this.members.map((member) => ({ ...member.status }));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.probing;
    await Promise.all(this.members.map((member) => member.orm.close()));
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.probing = this.probe().finally(() => {
        this.probing = undefined;
        this.schedule();
      });
    }, this.settings.checkIntervalMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    const at = Date.now();
    try {
      const [row] = await withTimeout(
        this.primary.em
          .getConnection()
          .execute<{ position: string }[]>('select pg_current_wal_flush_lsn()::text as position'),
        PROBE_TIMEOUT_MS,
        'the primary',
      );
      this.lag.observePrimary(walPosition(row!.position), at);
    } catch (error) {
      // With nothing to measure the replicas against, their states stand until the primary answers.
      logger.warn({ err: error }, 'replica probe: the primary did not give its WAL position');
      return;
    }
    await Promise.all(this.members.map((member) => this.probeReplica(member)));
  }

  private async probeReplica(member: Member): Promise<void> {
    let row: { standby: boolean; replayed: string | null } | undefined;
    try {
      [row] = await withTimeout(
        member.orm.em
          .getConnection()
          .execute<{ standby: boolean; replayed: string | null }[]>(
            'select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as replayed',
          ),
        PROBE_TIMEOUT_MS,
        `replica ${member.name}`,
      );
    } catch (error) {
      this.setStatus(member, 'down', undefined, messageOf(error));
      return;
    }
    if (!row!.standby || row!.replayed === null) {
      this.setStatus(member, 'not_standby', undefined, 'not in recovery: a primary, or a promoted replica');
      return;
    }
    const lagMs = this.lag.lagMs(walPosition(row!.replayed), Date.now());
    if (lagMs > this.settings.maxLagMs)
      this.setStatus(
        member,
        'lagging',
        lagMs,
        `replays ${lagMs} ms behind the primary (bound ${this.settings.maxLagMs} ms)`,
      );
    else this.setStatus(member, 'in_rotation', lagMs);
  }

  private setStatus(member: Member, state: ReplicaState, lagMs: number | undefined, reason?: string): void {
    const changed = !member.probed || state !== member.status.state;
    member.probed = true;
    member.status = { name: member.name, state, lagMs, ...(reason === undefined ? {} : { reason }) };
    // The first state and every change, not every probe: a replica already down at start is said once.
    if (!changed) return;
    if (state === 'in_rotation') logger.info({ replica: member.name, lagMs }, 'replica in rotation');
    else logger.warn({ replica: member.name, state, reason }, 'replica out of rotation: its queries read the primary');
  }
}

/** host:port/database: what metrics and health call a replica, with no credentials. */
export function replicaName(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
}

/**
 * Short enough for a log line and /health/detailed: the driver's message may carry the whole statement
 * before its reason (`<sql> - terminating connection due to administrator command`), which is cut.
 */
function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message.includes(' - ') ? message.slice(message.lastIndexOf(' - ') + 3) : message;
  return reason.length > 200 ? `${reason.slice(0, 200)}…` : reason;
}
