import { readdirSync, readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc's CPU times are in these ticks (100 on every Linux the kernel ships). */
const TICKS_PER_SECOND = 100;

type ProcessTimes = { pid: number; parent: number; cpuSeconds: number };

function processTimes(): ProcessTimes[] {
  const times: ProcessTimes[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command may hold spaces and parentheses: the fields start after its last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // Fields 4 (ppid) and 14–17 (utime, stime, cutime, cstime) of proc(5), counted from the state (field 3).
      // cutime and cstime hold the children the process has reaped: a backend that exited is in its parent's.
      const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number) as [number, number, number, number];
      times.push({
        pid: Number(entry),
        parent: Number(fields[1]),
        cpuSeconds: (utime + stime + cutime + cstime) / TICKS_PER_SECOND,
      });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return times;
}

/**
 * CPU seconds (user + system) used so far by a process and all its
 * descendants, living or exited: a gateway, or a PostgreSQL postmaster and
 * its backends (autovacuum workers and backends come and go during a run;
 * the postmaster reaps them, and their time moves into its cutime).
 */
export function cpuSecondsOfTree(rootPid: number): number {
  const all = processTimes();
  const inTree = new Set([rootPid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const process of all)
      if (!inTree.has(process.pid) && inTree.has(process.parent)) {
        inTree.add(process.pid);
        grew = true;
      }
  }
  return all.filter((process) => inTree.has(process.pid)).reduce((sum, process) => sum + process.cpuSeconds, 0);
}
