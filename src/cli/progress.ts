import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr, shown only when stderr is a terminal (never in pipes,
 * CI logs or JSON output captured by a script). `update(done, total)`; `stop()`.
 */
export function progressBar(label: string, enabled = true): { update(done: number, total: number, extra?: string): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted} {extra}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, extra = '') {
      if (!started) {
        bar.start(total, 0, { extra });
        started = true;
      }
      bar.update(done, { extra });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
