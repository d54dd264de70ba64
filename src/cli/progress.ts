import { SingleBar } from 'cli-progress';
import { Option } from 'commander';

/** A command that is done sooner prints no progress at all. */
const SHOWN_AFTER_MS = 1_000;
/** How often a log that is not a terminal gets a progress line. */
const LOG_EVERY_MS = 5_000;

export type Progress = {
  /** `done` of `total` units; `detail` says what they are and where the work is. */
  update(done: number, total: number, detail: string): void;
  /** Ends the bar (its last state stays on screen) before the command prints its answer. */
  stop(): void;
};

/** `--progress`: the bar on stderr even when stderr is not a terminal (a log, CI). */
export const progressOption = () =>
  new Option('--progress', 'show progress on stderr even when it is not a terminal (a line every 5 s)');

/**
 * A progress bar with an ETA on stderr (cli-progress) for work longer than a
 * second, on a terminal or with `--progress`; otherwise nothing.
 */
export function progressBar(label: string, options: { progress?: boolean }): Progress {
  const stream = process.stderr;
  const tty = stream.isTTY === true;
  if (!tty && !options.progress) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let bar: SingleBar | undefined;
  return {
    update(done, total, detail) {
      if (bar) {
        bar.setTotal(total);
        bar.update(done, { detail });
      } else if (Date.now() - started >= SHOWN_AFTER_MS) {
        bar = new SingleBar({
          stream,
          format: `${label} [{bar}] {percentage}% | ETA {eta_formatted} | {detail}`,
          barsize: 30,
          etaBuffer: 50,
          fps: 5,
          hideCursor: tty,
          noTTYOutput: !tty,
          notTTYSchedule: LOG_EVERY_MS,
        });
        bar.start(total, done, { detail });
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

/** `12,345 of 67,890` as progress details count. */
export const countOf = (done: number, total: number) =>
  `${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
