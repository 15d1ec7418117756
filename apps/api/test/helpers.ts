import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'uvu';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { seedDemo } from '@teamspiegel/db/seed';
import { buildApp } from '../src/app.ts';
import { hashPassword } from '../src/auth/passwords.ts';
import type { Clock } from '../src/clock.ts';
import { loadConfig, type Config } from '../src/config.ts';

export const ORIGIN = 'http://localhost:3000';
export const DEMO_PASSWORD = 'demo-password-for-tests';
export const TODAY = '2026-11-23';

/** A clock tests can move forward. */
export class TestClock implements Clock {
  constructor(private current = new Date(`${TODAY}T09:00:00.000Z`)) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  clock: TestClock;
  config: Config;
  close(): Promise<void>;
}

/**
 * The configuration every test app runs with on data directory `dir`: the test origin, no web
 * build, a rate limit no test reaches, and the scheduler off (tests drive the waves themselves);
 * `env` adds or overrides settings.
 */
export function testConfig(dir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    TEAMSPIEGEL_DATA_DIR: dir,
    TEAMSPIEGEL_PUBLIC_ORIGIN: ORIGIN,
    TEAMSPIEGEL_WEB_DIR: join(dir, 'no-web-build'),
    TEAMSPIEGEL_RATE_LIMIT_PER_MINUTE: '100000',
    TEAMSPIEGEL_SCHEDULER_INTERVAL_MS: '0',
    ...env,
  });
}

/**
 * The real app on a fresh SQLite file in a temporary directory, migrated and seeded with the
 * demo organisation (the same seed the start command uses).
 */
export async function buildTestApp(
  env: Record<string, string> = {},
  options: { seed?: boolean } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'teamspiegel-test-'));
  const config = testConfig(dir, env);
  const db = createDb(join(dir, 'teamspiegel.sqlite'));
  await migrateToLatest(db);
  const clock = new TestClock();
  if (options.seed ?? true) {
    await seedDemo(db, { today: TODAY, hashPassword, demoPassword: DEMO_PASSWORD });
  }
  const app = await buildApp({ db, config, clock });
  await app.ready();
  return {
    app,
    db,
    clock,
    config,
    async close() {
      await app.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Builds the test app before the suite's tests and closes it after them. The handle it returns
 * reads through to that app, so tests write `t.app`, `t.db` and `t.clock` at any time after
 * before(). `env` may be a function when it names something made in an earlier before() hook.
 */
export function withTestApp(
  suite: Test,
  env: Record<string, string> | (() => Record<string, string>) = {},
  options: { seed?: boolean } = {},
): TestApp {
  let built: TestApp | undefined;
  const current = (): TestApp => {
    if (!built) throw new Error('the test app is built in before() and closed in after()');
    return built;
  };
  suite.before(async () => {
    built = await buildTestApp(typeof env === 'function' ? env() : env, options);
  });
  suite.after(async () => {
    await current().close();
    built = undefined;
  });
  return {
    get app() {
      return current().app;
    },
    get db() {
      return current().db;
    },
    get clock() {
      return current().clock;
    },
    get config() {
      return current().config;
    },
    close: () => current().close(),
  };
}
