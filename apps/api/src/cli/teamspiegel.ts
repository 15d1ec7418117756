// The operator's command line: `pnpm teamspiegel backup <file>`,
// `pnpm teamspiegel restore <file>` and `pnpm teamspiegel init-organisation ...`
// (docs/operations.md). It reads the same configuration as the server (TEAMSPIEGEL_DATA_DIR,
// TEAMSPIEGEL_KEY_DIR, ...), so run it as the server's user with the server's environment.
// Output names files, waves and counts, never answers; init-organisation prints the new
// username and its one-time password and nothing else.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDb, migrateToLatest } from '@teamspiegel/db';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { BackupError, createBackup, DATABASE_FILE, restoreBackup } from './backup.ts';
import {
  INIT_USAGE,
  InitOrganisationError,
  initOrganisation,
  parseInitOrganisationArgs,
} from './init-organisation.ts';

const USAGE = `Usage:
  pnpm teamspiegel backup <file>    online backup of the database and the keys of unclosed waves
  pnpm teamspiegel restore <file>   restore a backup into a fresh data and key directory
  pnpm teamspiegel init-organisation --help
                                    an organisation's root unit and its first administrator`;

/** The code version for the manifest: the version and commit the server reports, if known. */
function codeVersionOf(config: Config): string {
  const { version, commit } = config.codeVersion;
  return [version, commit].filter(Boolean).join(' ') || 'unknown';
}

/** pnpm runs scripts in the workspace root; a relative file is meant from where it was typed. */
const fromCaller = (file: string) => resolve(process.env.INIT_CWD ?? process.cwd(), file);

/**
 * Creates an organisation and its first administrator in the server's database (created and
 * migrated if the server has not started yet); prints the username and the one-time password.
 */
async function initOrganisationCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.error(INIT_USAGE);
    return 2;
  }
  const input = parseInitOrganisationArgs(args);
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = createDb(join(config.dataDir, DATABASE_FILE));
  try {
    await migrateToLatest(db);
    const result = await initOrganisation(db, input);
    console.log(`username: ${result.username}`);
    console.log(`temporary password: ${result.temporaryPassword}`);
    console.error(
      `Shown once. Log in at ${config.publicOrigin}; Teamspiegel asks for a new password first.`,
    );
    return 0;
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'init-organisation') return initOrganisationCommand(argv.slice(1));
  const [command, file, ...rest] = argv;
  if (!file || rest.length || (command !== 'backup' && command !== 'restore')) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const log = (line: string) => console.log(line);
  if (command === 'backup') {
    const result = await createBackup({
      dataDir: config.dataDir,
      keyDir: config.keyDir,
      file: fromCaller(file),
      codeVersion: codeVersionOf(config),
      log,
    });
    const { manifest } = result;
    console.log(`Backup written: ${result.file} (${result.bytes} bytes, mode 0600).`);
    console.log(`  migration: ${manifest.migration ?? 'none'}`);
    console.log(
      `  waves with keys: ${manifest.waves.length ? manifest.waves.map((w) => `${w.id} (${w.state}, ${w.keys.length} keys)`).join(', ') : 'none'}`,
    );
    if (manifest.waves.length) {
      console.log(
        '  This archive holds wave data keys: it can open the answers of those waves. Keep it like the key directory.',
      );
    }
    return 0;
  }
  const result = await restoreBackup({
    dataDir: config.dataDir,
    keyDir: config.keyDir,
    file: fromCaller(file),
    log,
  });
  const { manifest } = result;
  console.log(`Restored the backup of ${manifest.createdAt} (code ${manifest.codeVersion}):`);
  console.log(`  database: ${result.database}`);
  console.log(
    `  keys: ${result.keyDir} (${manifest.waves.length} waves: ${manifest.waves.map((w) => `${w.id} ${w.state}`).join(', ') || 'none'})`,
  );
  console.log(
    `  migrations run: ${result.migrated.length ? result.migrated.join(', ') : 'none (the backup is as new as this code)'}`,
  );
  console.log('Start the server on this data directory to carry on.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (
      err instanceof BackupError ||
      err instanceof ConfigError ||
      err instanceof InitOrganisationError
    ) {
      console.error(`teamspiegel: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exit(1);
  },
);
