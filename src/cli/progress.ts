import cliProgress from 'cli-progress';

/** Progress of long work on stderr: `update(done, total, extra?)` as work advances, `stop()` at the end. */
export interface Progress {
  update(done: number, total: number, extra?: string): void;
  stop(): void;
}

/**
 * Seconds between progress lines when stderr is not a terminal (CI logs, pipes):
 * `ALLOCSIM_PROGRESS_SECONDS`, default 5; 0 prints every update.
 */
function lineIntervalMs(): number {
  const v = Number(process.env.ALLOCSIM_PROGRESS_SECONDS);
  return process.env.ALLOCSIM_PROGRESS_SECONDS !== undefined && process.env.ALLOCSIM_PROGRESS_SECONDS !== '' && Number.isFinite(v) && v >= 0 ? v * 1000 : 5000;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * Progress of long work on stderr. On a terminal, a bar with an ETA; anywhere
 * else (CI logs, pipes, output captured by a script) a plain line every few
 * seconds — `label: 40% (36/90 days), 12 s elapsed, ETA 18 s` — as npm tools print in
 * CI logs, so long work is never silent. Short work prints nothing: the first line
 * comes only once the interval has passed. Stdout is never touched.
 */
export function progressBar(label: string, enabled = true, unit = ''): Progress {
  if (!enabled) return { update() {}, stop() {} };
  if (!process.stderr.isTTY) return progressLines(label, unit, lineIntervalMs());
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

/** The plain-line form of `progressBar`; a timer also prints while the thread waits on workers. */
function progressLines(label: string, unit: string, intervalMs: number): Progress {
  const started = performance.now();
  let last = started;
  let state: { done: number; total: number; extra: string } | null = null;
  const print = () => {
    if (!state) return;
    last = performance.now();
    const elapsed = (last - started) / 1000;
    const { done, total, extra } = state;
    const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
    const eta = done > 0 ? (elapsed / done) * (total - done) : NaN;
    process.stderr.write(`${label}: ${pct}% (${done}/${total}${unit ? ` ${unit}` : ''}), ${formatSeconds(elapsed)} elapsed, ETA ${formatSeconds(eta)}${extra ? ` — ${extra}` : ''}\n`);
  };
  const timer = intervalMs > 0 ? setInterval(() => performance.now() - last >= intervalMs && print(), Math.min(intervalMs, 1000)) : null;
  timer?.unref();
  return {
    update(done, total, extra = '') {
      state = { done, total, extra };
      if (performance.now() - last >= intervalMs) print();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
