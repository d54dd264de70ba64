import type { Progress } from './import-files';

const BAR_WIDTH = 30;

/**
 * Progress on stderr: a bar redrawn in place on a terminal, plain lines
 * (every `everyMs`) when piped to a log, as cron and CI capture it.
 */
export function progressReporter(stream: NodeJS.WriteStream, everyMs = stream.isTTY ? 200 : 5_000) {
  const started = Date.now();
  let last = 0;
  let linesShown = -1;
  return {
    update(progress: Progress, final = false) {
      const now = Date.now();
      if (final ? progress.lines === linesShown && !stream.isTTY : now - last < everyMs) return;
      last = now;
      linesShown = progress.lines;
      const fraction = progress.bytes > 0 ? Math.min(1, progress.bytesRead / progress.bytes) : 1;
      const rate = Math.round(progress.lines / Math.max(0.001, (now - started) / 1000));
      const counts = `${progress.lines.toLocaleString('en-US')} lines, ${rate.toLocaleString('en-US')} lines/s`;
      if (stream.isTTY) {
        const filled = Math.round(fraction * BAR_WIDTH);
        stream.write(
          `\r${progress.file} [${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ` +
            `${Math.round(fraction * 100)}% ${counts}${final ? '\n' : ''}`,
        );
      } else {
        stream.write(`${progress.file}: ${Math.round(fraction * 100)}% read, ${counts}\n`);
      }
    },
  };
}
