import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { DEMO_ACCOUNTS, isDatabaseEmpty, seedDemo } from '@teamspiegel/db/seed';
import { buildApp } from './app.ts';
import { hashPassword } from './auth/passwords.ts';
import { dateOf, systemClock } from './clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { buildDemoHistory } from './demo/history.ts';

/**
 * The demo password: TEAMSPIEGEL_DEMO_PASSWORD when set, else one generated at the first
 * start and kept in the data directory so later starts can show it again.
 */
function demoPassword(config: Config): { password: string; generated: boolean } {
  if (config.demoPassword) return { password: config.demoPassword, generated: false };
  const file = join(config.dataDir, 'demo-password');
  if (existsSync(file)) return { password: readFileSync(file, 'utf8').trim(), generated: true };
  const password = randomBytes(12).toString('base64url');
  writeFileSync(file, password, { mode: 0o600 });
  return { password, generated: true };
}

/**
 * A pulse programme for each demo organisation with its history: six closed waves run through
 * the real pipeline on past dates (src/demo/history.ts), and the current wave, which opened two
 * days ago, planned so the scheduler opens it at start and a newcomer can answer at once.
 */
async function seedDemoProgrammes(db: Db, config: Config): Promise<string> {
  const history = await buildDemoHistory({
    db,
    config,
    now: systemClock.now(),
    onProgress: (message) => console.log(message),
  });
  if (!history) return 'no pulse history (a programme existed already)';
  return (
    `${history.closedWaves} closed waves with ${history.responses} simulated answers ` +
    `(${history.keys} signing keys, ${(history.ms / 1000).toFixed(1)} s), and the current wave`
  );
}

async function main() {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true });
  const db = createDb(join(config.dataDir, 'teamspiegel.sqlite'));
  await migrateToLatest(db);

  let demo: { password: string; generated: boolean } | undefined;
  if (config.seedDemo) {
    demo = demoPassword(config);
    if (await isDatabaseEmpty(db)) {
      const summary = await seedDemo(db, {
        today: dateOf(systemClock.now()),
        hashPassword,
        demoPassword: demo.password,
      });
      const pulse = await seedDemoProgrammes(db, config);
      console.log(
        `Seeded the demo organisation: ${summary.units} units, ${summary.people} people, ` +
          `and a pulse programme per organisation: ${pulse}.`,
      );
    }
  }

  const app = await buildApp({ db, config, clock: systemClock });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: closing`);
    app
      .close()
      .then(() => db.destroy())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  console.log(`\nTeamspiegel is running at ${config.publicOrigin}`);
  if (demo) {
    console.log(`Demo accounts: ${DEMO_ACCOUNTS.join(', ')}`);
    console.log(
      demo.generated
        ? `Demo password (generated, kept in ${join(config.dataDir, 'demo-password')}): ${demo.password}\n`
        : 'Demo password: the value of TEAMSPIEGEL_DEMO_PASSWORD\n',
    );
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
