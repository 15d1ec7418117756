import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { type Clock, dateOf } from '../clock.ts';
import type { WaveRunner } from './waves.service.ts';

/** What readiness and /metrics tell about the schedule (no wave, cell or person in it). */
export interface SchedulerStatus {
  /** 0 when the server does not run the schedule itself (tests drive it). */
  readonly intervalMs: number;
  readonly startedAt: Date;
  /** The end of the last run whose wave step succeeded. */
  lastRunAt: Date | null;
  /** The day the daily jobs (retention) last ran to the end. */
  lastDailyOn: string | null;
  /** When they did. */
  lastDailyAt: Date | null;
}

export interface Scheduler {
  status: SchedulerStatus;
  /** One run: the waves' tick, then the daily jobs when they have not run today. */
  tick(): Promise<void>;
}

/**
 * The schedule: every run looks at the waves (open, close, bands, resume), and the first run of
 * each day also runs the daily jobs (retention). The steps are independent: a failing close
 * does not stop retention, nor the other way round. One run at a time.
 */
export function createScheduler(opts: {
  waves: WaveRunner;
  clock: Clock;
  log: FastifyBaseLogger;
  intervalMs: number;
  daily: () => Promise<unknown>;
}): Scheduler {
  const { waves, clock, log, daily } = opts;
  const status: SchedulerStatus = {
    intervalMs: opts.intervalMs,
    startedAt: clock.now(),
    lastRunAt: null,
    lastDailyOn: null,
    lastDailyAt: null,
  };
  let running: Promise<void> | undefined;

  async function run(): Promise<void> {
    let wavesOk = true;
    try {
      await waves.tick();
    } catch (err) {
      wavesOk = false;
      log.error({ err }, 'wave scheduler failed');
    }
    const today = dateOf(clock.now());
    if (status.lastDailyOn !== today) {
      try {
        await daily();
        status.lastDailyOn = today;
        status.lastDailyAt = clock.now();
      } catch (err) {
        log.error({ err }, 'daily jobs failed; retried at the next run');
      }
    }
    if (wavesOk) status.lastRunAt = clock.now();
  }

  return {
    status,
    tick() {
      running ??= run().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

/**
 * The server runs the schedule itself: at start (which also resumes a wave left preparing or
 * closing by a crash) and then every interval. Off when the interval is 0 (tests drive it).
 */
export function schedulerPlugin(
  app: FastifyInstance,
  opts: { scheduler: Scheduler; waves: WaveRunner; intervalMs: number },
  done: (err?: Error) => void,
) {
  const { scheduler, waves, intervalMs } = opts;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    running = scheduler.tick();
    return running;
  };
  if (intervalMs > 0) {
    app.addHook('onReady', () => {
      void tick();
      timer = setInterval(() => void tick(), intervalMs);
      timer.unref();
    });
  }
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
    await waves.stop();
  });
  done();
}
