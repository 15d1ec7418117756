import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { DEMO_ACCOUNTS, isDatabaseEmpty, seedDemo } from '@teamspiegel/db/seed';
import { buildApp } from './app.ts';
import { createProgramme } from './collection/programmes.routes.ts';
import { addDays } from './collection/waves.repository.ts';
import { hashPassword } from './auth/passwords.ts';
import { dateOf, systemClock } from './clock.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';

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
 * A pulse programme for each demo organisation whose first wave opened two days ago, so a
 * newcomer can answer at once; the scheduler prepares its keys and opens it at start.
 */
async function seedDemoProgrammes(db: Db) {
  const today = dateOf(systemClock.now());
  const roots = await db
    .selectFrom('unit')
    .select(['id', 'name'])
    .where('parent_id', 'is', null)
    .orderBy('code')
    .execute();
  for (const root of roots) {
    await createProgramme(db, systemClock, {
      rootUnitId: root.id,
      name: `Teamspiegel ${root.name}`,
      firstOpensOn: addDays(today, -2),
      cadenceDays: 28,
      windowDays: 14,
      commentQuestion: true,
    });
  }
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
      await seedDemoProgrammes(db);
      console.log(
        `Seeded the demo organisation: ${summary.units} units, ${summary.people} people, ` +
          'and a pulse programme per organisation with a wave open now.',
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
