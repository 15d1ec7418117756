// The operator's command line: `pnpm teamspiegel backup <file>`,
// `pnpm teamspiegel restore <file>`, `pnpm teamspiegel backup-key <dir>` and
// `pnpm teamspiegel init-organisation ...` and `pnpm teamspiegel add-administrator ...`
// (docs/operations.md). It reads the same configuration as the server (TEAMSPIEGEL_DATA_DIR,
// TEAMSPIEGEL_KEY_DIR, ...), so run it as the server's user with the server's environment.
// Output names files, waves and counts, never answers; init-organisation prints the new
// username and its one-time password and nothing else.

import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDb, migrateToLatest, type Db } from '@teamspiegel/db';
import { ConfigError, loadConfig, type Config } from '../config.ts';
import { BackupError, createBackup, DATABASE_FILE, restoreBackup } from './backup.ts';
import { generateRecoveryKey, RecoveryKeyError } from './recovery-key.ts';
import {
  ADD_ADMINISTRATOR_USAGE,
  addAdministrator,
  INIT_USAGE,
  InitOrganisationError,
  initOrganisation,
  parseAddAdministratorArgs,
  parseInitOrganisationArgs,
} from './init-organisation.ts';

const USAGE = `Usage:
  pnpm teamspiegel backup <file> [--recipient <public key file>] [--without-keys]
      online backup of the database and of the keys of unclosed waves, sealed to the recovery
      public key (default: $TEAMSPIEGEL_BACKUP_RECIPIENT); --without-keys: the database alone
  pnpm teamspiegel restore <file> [--recovery-key <private key file>]
      restore a backup into a fresh data and key directory; its keys open with the recovery key
  pnpm teamspiegel backup-key <dir>
      a new recovery key pair in <dir>: teamspiegel-recovery.pub for the server,
      teamspiegel-recovery.key (0600) for the custodian, kept offline
  pnpm teamspiegel init-organisation --help
                                    an organisation's root unit and its first administrator
  pnpm teamspiegel add-administrator --help
                                    a further administrator at an organisation's root (four
                                    eyes needs two administrators no administrator made)`;

/** The code version for the manifest: the version and commit the server reports, if known. */
function codeVersionOf(config: Config): string {
  const { version, commit } = config.codeVersion;
  return [version, commit].filter(Boolean).join(' ') || 'unknown';
}

/** pnpm runs scripts in the workspace root; a relative file is meant from where it was typed. */
const fromCaller = (file: string) => resolve(process.env.INIT_CWD ?? process.cwd(), file);

/** The server's database (created and migrated if the server has not started yet), for `work`. */
async function withDatabase<T>(work: (db: Db, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const db = createDb(join(config.dataDir, DATABASE_FILE));
  try {
    await migrateToLatest(db);
    return await work(db, config);
  } finally {
    await db.destroy();
  }
}

/** Prints the username and, when there is one, the one-time password (stdout, once). */
function printLogin(config: Config, username: string, password: string | null): void {
  console.log(`username: ${username}`);
  if (password === null) {
    console.error('The person keeps their account and password.');
    return;
  }
  console.log(`temporary password: ${password}`);
  console.error(
    `Shown once. Log in at ${config.publicOrigin}; Teamspiegel asks for a new password first.`,
  );
}

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
  return withDatabase(async (db, config) => {
    const result = await initOrganisation(db, input);
    printLogin(config, result.username, result.temporaryPassword);
    return 0;
  });
}

/** Appoints a further administrator at an organisation's root; prints as init-organisation. */
async function addAdministratorCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.error(ADD_ADMINISTRATOR_USAGE);
    return 2;
  }
  const input = parseAddAdministratorArgs(args);
  return withDatabase(async (db, config) => {
    const result = await addAdministrator(db, input);
    printLogin(config, result.username, result.temporaryPassword);
    if (result.madeByAdministrators) {
      console.error(
        `Note: ${result.madeByAdministrators} administrator(s) made this person's record, account or administrator role; four eyes does not count them and this administrator as two.`,
      );
    }
    return 0;
  });
}

/** Writes a new recovery key pair into `dir` and says what to do with each half. */
async function backupKeyCommand(dir: string): Promise<number> {
  const target = fromCaller(dir);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  const { publicFile, privateFile, fingerprint } = await generateRecoveryKey(target);
  console.log(`Recovery key ${fingerprint}:`);
  console.log(`  public key:  ${publicFile}`);
  console.log(`  private key: ${privateFile} (mode 0600)`);
  console.log(
    '  Copy the public key to the server and set TEAMSPIEGEL_BACKUP_RECIPIENT to its path. Give the',
  );
  console.log(
    '  private key to its custodian, to keep offline (and a second copy elsewhere); then delete it here.',
  );
  console.log('  Without it, the keys in the archives cannot be restored.');
  return 0;
}

/** `args` as positional arguments and the values of the options `valued` and flags `flags`. */
function parseArgs(args: string[], valued: string[], flags: string[]) {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (valued.includes(arg) && args[i + 1] !== undefined && !options.has(arg)) {
      options.set(arg, args[++i]!);
    } else if (flags.includes(arg) && !options.has(arg)) {
      options.set(arg, true);
    } else if (arg.startsWith('--')) {
      return null;
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'init-organisation') return initOrganisationCommand(argv.slice(1));
  if (argv[0] === 'add-administrator') return addAdministratorCommand(argv.slice(1));
  const [command, ...args] = argv;
  const parsed =
    command === 'backup'
      ? parseArgs(args, ['--recipient'], ['--without-keys'])
      : command === 'restore'
        ? parseArgs(args, ['--recovery-key'], [])
        : command === 'backup-key'
          ? parseArgs(args, [], [])
          : null;
  const file = parsed?.positional[0];
  if (!parsed || !file || parsed.positional.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  if (command === 'backup-key') return backupKeyCommand(file);
  const option = (name: string) => {
    const value = parsed.options.get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const config = loadConfig();
  const log = (line: string) => console.log(line);
  if (command === 'backup') {
    const withoutKeys = parsed.options.has('--without-keys');
    const recipient = option('--recipient');
    const recipientFile = recipient
      ? fromCaller(recipient)
      : process.env.TEAMSPIEGEL_BACKUP_RECIPIENT || null;
    const result = await createBackup({
      dataDir: config.dataDir,
      keyDir: config.keyDir,
      file: fromCaller(file),
      codeVersion: codeVersionOf(config),
      recipientFile,
      withoutKeys,
      log,
    });
    const { manifest } = result;
    console.log(`Backup written: ${result.file} (${result.bytes} bytes, mode 0600).`);
    console.log(`  migration: ${manifest.migration ?? 'none'}`);
    console.log(
      `  waves with keys: ${manifest.waves.length ? manifest.waves.map((w) => `${w.id} (${w.state}, ${w.keys.length} keys)`).join(', ') : 'none'}`,
    );
    if (manifest.recipient) {
      console.log(
        `  The keys are sealed to recovery key ${manifest.recipient.fingerprint}: only its private key opens them.`,
      );
    }
    if (manifest.keysOmitted && manifest.waves.length) {
      console.log(
        '  Warning: made --without-keys. Restored from this archive, these waves cannot be closed with their answers.',
      );
    }
    return 0;
  }
  const recoveryKey = option('--recovery-key');
  const result = await restoreBackup({
    dataDir: config.dataDir,
    keyDir: config.keyDir,
    file: fromCaller(file),
    recoveryKeyFile: recoveryKey ? fromCaller(recoveryKey) : null,
    log,
  });
  const { manifest } = result;
  console.log(`Restored the backup of ${manifest.createdAt} (code ${manifest.codeVersion}):`);
  console.log(`  database: ${result.database}`);
  console.log(
    `  keys: ${result.keyDir} (waves with keys: ${
      manifest.waves
        .filter((w) => w.keys.length)
        .map((w) => `${w.id} ${w.state}`)
        .join(', ') || 'none'
    })`,
  );
  console.log(
    `  migrations run: ${result.migrated.length ? result.migrated.join(', ') : 'none (the backup is as new as this code)'}`,
  );
  if (result.warning) console.log(`  Warning: ${result.warning}.`);
  console.log('Start the server on this data directory to carry on.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (
      err instanceof BackupError ||
      err instanceof RecoveryKeyError ||
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
