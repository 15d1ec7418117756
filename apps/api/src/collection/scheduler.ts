import type { FastifyInstance } from 'fastify';
import type { WaveRunner } from './waves.service.ts';

/**
 * The server runs the schedule itself: at start (which also resumes a wave left preparing or
 * closing by a crash) and then every interval. Off when the interval is 0 (tests drive it).
 */
export function schedulerPlugin(
  app: FastifyInstance,
  opts: { waves: WaveRunner; intervalMs: number },
  done: (err?: Error) => void,
) {
  const { waves, intervalMs } = opts;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const tick = () => {
    running ??= waves
      .tick()
      .catch((err: unknown) => app.log.error({ err }, 'wave scheduler failed'))
      .finally(() => {
        running = undefined;
      });
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
