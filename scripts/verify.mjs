#!/usr/bin/env node
// The one test command (`pnpm verify`): lint, type checks, unit and integration tests, the web
// build and the browser tests, in that order. Every step runs even when an earlier one failed, so
// one run shows every failure; only the browser tests wait for a successful web build.
// The last line of output is always exactly `N passed, N failed`.
//
// Options: --skip-browser (or VERIFY_SKIP_BROWSER=1) for a quick local run; the summary says so.
// Plain Node ESM with builtins only, so it runs before anything else works.

import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const bin = (name, dir = root) => join(dir, 'node_modules', '.bin', name);
const skipBrowser =
  process.argv.includes('--skip-browser') || truthy(process.env.VERIFY_SKIP_BROWSER);

const MINUTE = 60_000;
const TIMEOUT = { lint: 10 * MINUTE, check: 10 * MINUTE, test: 10 * MINUTE, build: 10 * MINUTE };
const E2E_TIMEOUT = 15 * MINUTE;
const HEALTH_TIMEOUT = 300_000;
const DEMO_PASSWORD = 'demo-password-for-tests';

/** @typedef {{ name: string, status: 'ok' | 'FAIL' | 'skipped' | 'blocked', passed: number, failed: number, skipped: number, ms: number, note?: string }} Row */
/** @type {Row[]} */
const rows = [];
/** Children still running; killed on Ctrl-C, on a timeout and on exit. */
const running = new Set();
let interrupted = false;

main().catch((err) => {
  console.error(err);
  rows.push({ name: 'verify itself', status: 'FAIL', passed: 0, failed: 1, skipped: 0, ms: 0 });
  finish();
});

async function main() {
  process.on('SIGINT', () => interrupt('SIGINT'));
  process.on('SIGTERM', () => interrupt('SIGTERM'));
  process.on('exit', () => {
    for (const child of running) killTree(child, 'SIGKILL');
  });

  const started = Date.now();
  const packages = workspacePackages();
  const web = packages.find((p) => p.dir === join(root, 'apps', 'web'));

  // SvelteKit generates apps/web/.svelte-kit/tsconfig.json, which apps/web/tsconfig.json extends;
  // typed linting and svelte-check both need it, so generate it first (failures show up in `check`).
  if (web && existsSync(join(web.dir, 'svelte.config.js'))) {
    header('prepare: svelte-kit sync (apps/web)');
    await run(bin('svelte-kit', web.dir), ['sync'], { cwd: web.dir, timeout: TIMEOUT.build });
  }

  // a. Lint: one ESLint run at the root covers every package (each package's `lint` is `eslint .`
  // against the same root config), then Prettier.
  await checkStep('lint: eslint', bin('eslint'), ['.'], { cwd: root, timeout: TIMEOUT.lint });
  await checkStep('lint: prettier --check', bin('prettier'), ['--check', '.'], {
    cwd: root,
    timeout: TIMEOUT.lint,
  });

  // b. Type checks: each package's own `check` script (tsc -p ., or svelte-check for the web).
  for (const pkg of packages) {
    const script = pkg.json.scripts?.check;
    if (!script || script === 'true') continue;
    await checkStep(`check: ${pkg.rel}`, 'sh', ['-c', script], {
      cwd: pkg.dir,
      env: { PATH: pathWithBins(pkg.dir) },
      timeout: TIMEOUT.check,
    });
  }

  // c. Unit and integration tests: uvu in every package with a test/ folder.
  for (const pkg of packages) {
    if (!existsSync(join(pkg.dir, 'test'))) continue;
    await uvuStep(pkg);
  }

  // d. The web build (the API serves it to the browser tests).
  let webBuilt = false;
  if (!web) {
    rows.push(row('build: apps/web', 'FAIL', { failed: 1, note: 'apps/web not found' }));
  } else {
    webBuilt = await checkStep('build: apps/web', bin('vite', web.dir), ['build'], {
      cwd: web.dir,
      timeout: TIMEOUT.build,
    });
  }

  // e. Browser tests.
  if (skipBrowser) {
    header('browser tests: SKIPPED (--skip-browser)');
    rows.push(row('e2e: playwright', 'skipped', { note: 'skipped on request (--skip-browser)' }));
  } else if (!webBuilt) {
    header('browser tests: NOT RUN (the web build failed)');
    rows.push(
      row('e2e: playwright', 'blocked', { failed: 1, note: 'needs a successful web build' }),
    );
  } else if (!interrupted) {
    await browserStep(web);
  }

  console.log(`\nTotal time: ${formatMs(Date.now() - started)}`);
  finish();
}

// ---------------------------------------------------------------------------------------------
// Steps

/** A step that passes or fails as a whole (lint, type check, build): a failure counts as 1. */
async function checkStep(name, command, args, options) {
  header(name);
  if (interrupted) return false;
  const t0 = Date.now();
  const result = await run(command, args, options);
  const ok = result.code === 0;
  rows.push({
    name,
    status: ok ? 'ok' : 'FAIL',
    passed: 0,
    failed: ok ? 0 : 1,
    skipped: 0,
    ms: Date.now() - t0,
    ...(ok ? {} : { note: result.reason }),
  });
  return ok;
}

async function uvuStep(pkg) {
  const name = `test: ${pkg.rel}`;
  header(name);
  if (interrupted) return;
  const t0 = Date.now();
  const result = await run(
    process.execPath,
    ['--import', 'tsx', join(root, 'node_modules', 'uvu', 'bin.js'), 'test'],
    { cwd: pkg.dir, env: { PATH: pathWithBins(pkg.dir) }, timeout: TIMEOUT.test, capture: true },
  );
  const summary = parseUvu(result.output);
  let passed = summary?.passed ?? 0;
  let failed = summary ? summary.total - summary.passed : 0;
  const skipped = summary?.skipped ?? 0;
  let note;
  if (result.code !== 0 && failed === 0) {
    // A file that throws on import, a crash or a timeout: uvu prints no usable summary.
    failed = 1;
    note = `${result.reason}${summary ? '' : ', no uvu summary'}`;
  } else if (!summary) {
    note = 'no uvu summary found (no tests?)';
  } else if (summary.total + summary.skipped === 0) {
    note = 'no tests';
  }
  rows.push({
    name,
    status: result.code === 0 && failed === 0 ? 'ok' : 'FAIL',
    passed,
    failed,
    skipped,
    ms: Date.now() - t0,
    ...(note ? { note } : {}),
  });
}

/** uvu 0.5.6 ends with "Total: N / Passed: N / Skipped: N / Duration: ..."; Total excludes skips. */
function parseUvu(output) {
  const text = stripAnsi(output);
  const total = lastNumber(text, /^\s*Total:\s+(\d+)/gm);
  const passed = lastNumber(text, /^\s*Passed:\s+(\d+)/gm);
  const skipped = lastNumber(text, /^\s*Skipped:\s+(\d+)/gm);
  if (total === undefined || passed === undefined) return undefined;
  return { total, passed, skipped: skipped ?? 0 };
}

async function browserStep(web) {
  const name = 'e2e: playwright';
  header(name);
  const t0 = Date.now();
  const fail = (note) => {
    console.error(`\n✘ browser tests: ${note}`);
    rows.push(row(name, 'FAIL', { failed: 1, note, ms: Date.now() - t0 }));
  };

  const chromium = await findOrInstallChromium(web.dir);
  if (!chromium) {
    return fail(
      'no Chromium found: set CHROMIUM_PATH, or install it (`apt-get install -y chromium` as root)',
    );
  }
  console.log(`Chromium: ${chromium}`);

  const serverEntry = join(root, 'apps', 'api', 'src', 'server.ts');
  if (!existsSync(serverEntry)) {
    return fail(`the API server ${relative(root, serverEntry)} does not exist (yet)`);
  }
  if (!existsSync(bin('playwright', web.dir))) {
    return fail(
      'apps/web/node_modules/.bin/playwright is missing (is @playwright/test installed?)',
    );
  }

  const work = mkdtempSync(join(tmpdir(), 'teamspiegel-verify-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const logFile = join(work, 'server.log');
  const reportFile = join(work, 'playwright-report.json');
  const log = createWriteStream(logFile);
  let keepWork = false;

  console.log(`Starting the API on ${origin} (data in ${join(work, 'data')}, log ${logFile})`);
  const server = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      NODE_ENV: 'test',
      TEAMSPIEGEL_DATA_DIR: join(work, 'data'),
      TEAMSPIEGEL_DEMO_PASSWORD: DEMO_PASSWORD,
      TEAMSPIEGEL_PUBLIC_ORIGIN: origin,
      // The browser suite makes more API calls a minute than one person would.
      TEAMSPIEGEL_RATE_LIMIT_PER_MINUTE: '10000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(server);
  let serverTail = '';
  const keepTail = (chunk) => {
    log.write(chunk);
    serverTail = (serverTail + chunk.toString()).slice(-4000);
  };
  server.stdout.on('data', keepTail);
  server.stderr.on('data', keepTail);
  /** @type {{ code: number | null, signal: string | null } | undefined} */
  let exited;
  const serverExit = new Promise((res) =>
    server.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(server);
      res(exited);
    }),
  );
  server.on('error', (err) => keepTail(Buffer.from(`spawn error: ${err.message}\n`)));

  try {
    const ready = await waitForHealth(`${origin}/api/v1/health`, () => exited, HEALTH_TIMEOUT);
    if (!ready.ok) {
      keepWork = true;
      console.error(
        `\n--- last lines of the API server's output ---\n${serverTail.trimEnd()}\n---`,
      );
      return fail(ready.reason);
    }
    console.log(`API healthy after ${formatMs(ready.ms)}; running Playwright\n`);

    const result = await run(bin('playwright', web.dir), ['test', '--reporter=list,json'], {
      cwd: web.dir,
      env: {
        E2E_BASE_URL: origin,
        CHROMIUM_PATH: chromium,
        TEAMSPIEGEL_DEMO_PASSWORD: DEMO_PASSWORD,
        // The full-wave spec reads the counts stored at close from the server's database.
        TEAMSPIEGEL_DATA_DIR: join(work, 'data'),
        PLAYWRIGHT_JSON_OUTPUT_NAME: reportFile,
        CI: '1',
      },
      timeout: E2E_TIMEOUT,
    });
    const stats = readPlaywrightStats(reportFile);
    let passed = stats ? stats.expected + stats.flaky : 0;
    let failed = stats ? stats.unexpected : 0;
    const skipped = stats?.skipped ?? 0;
    const notes = [];
    if (stats?.flaky) notes.push(`${stats.flaky} flaky (passed on retry)`);
    if (result.code !== 0 && failed === 0) {
      failed = 1;
      notes.push(`${result.reason}${stats ? '' : ', no JSON report'}`);
    }
    if (stats && passed + failed + skipped === 0) notes.push('no browser tests found');
    if (failed > 0) {
      keepWork = true;
      console.error(
        `\n--- last lines of the API server's output ---\n${serverTail.trimEnd()}\n---`,
      );
    }
    rows.push({
      name,
      status: failed === 0 ? 'ok' : 'FAIL',
      passed,
      failed,
      skipped,
      ms: Date.now() - t0,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    });
  } finally {
    if (!exited) {
      killTree(server, 'SIGTERM');
      const timer = setTimeout(() => killTree(server, 'SIGKILL'), 10_000);
      await serverExit;
      clearTimeout(timer);
    }
    log.end();
    if (keepWork) console.log(`Server log and data kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

async function waitForHealth(url, hasExited, timeoutMs) {
  const t0 = Date.now();
  let last = 'no answer';
  while (Date.now() - t0 < timeoutMs) {
    if (interrupted) return { ok: false, reason: 'interrupted' };
    const exit = hasExited();
    if (exit) {
      return {
        ok: false,
        reason: `the API server exited before it was healthy (code ${exit.code}, signal ${exit.signal})`,
      };
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return { ok: true, ms: Date.now() - t0 };
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = err.cause?.code ?? err.message;
    }
    await sleep(500);
  }
  return {
    ok: false,
    reason: `GET ${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`,
  };
}

function readPlaywrightStats(file) {
  try {
    const { stats } = JSON.parse(readFileSync(file, 'utf8'));
    const n = (v) => (Number.isFinite(v) ? v : 0);
    return {
      expected: n(stats.expected),
      unexpected: n(stats.unexpected),
      flaky: n(stats.flaky),
      skipped: n(stats.skipped),
    };
  } catch {
    return undefined;
  }
}

/** CHROMIUM_PATH, then Debian's /usr/bin/chromium, then Playwright's own; installs one if none. */
async function findOrInstallChromium(webDir) {
  const found = findChromium(webDir);
  if (found) return found;
  if (process.getuid?.() === 0) {
    console.log('No Chromium found; installing Debian chromium (running as root)');
    await run('sh', ['-c', 'apt-get update && apt-get install -y chromium'], {
      cwd: root,
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 10 * MINUTE,
    });
  } else if (existsSync(bin('playwright', webDir))) {
    console.log('No Chromium found; trying `playwright install chromium`');
    await run(bin('playwright', webDir), ['install', 'chromium'], {
      cwd: webDir,
      timeout: 10 * MINUTE,
    });
  }
  return findChromium(webDir);
}

function findChromium(webDir) {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    console.warn(`CHROMIUM_PATH=${fromEnv} does not exist; looking elsewhere`);
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    // playwright-core is a dependency of @playwright/test (via playwright), not of apps/web itself.
    let req = createRequire(join(webDir, 'package.json'));
    for (const dep of ['@playwright/test', 'playwright']) {
      req = createRequire(req.resolve(`${dep}/package.json`));
    }
    const path = req('playwright-core').chromium.executablePath();
    if (path && existsSync(path)) return path;
  } catch {
    // not installed
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * Runs a command with its output streamed to ours (and kept when `capture`), in its own process
 * group so a timeout or Ctrl-C can stop everything it started.
 * @returns {Promise<{ code: number, output: string, reason: string }>}
 */
function run(command, args, { cwd, env = {}, timeout, capture = false }) {
  console.log(
    `$ ${[command, ...args].map(shellQuote).join(' ')}   (in ${relative(root, cwd) || '.'})`,
  );
  return new Promise((res) => {
    const color = process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: '1' } : {};
    const child = spawn(command, args, {
      cwd,
      env: { ...process.env, ...color, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    running.add(child);
    let output = '';
    let timedOut = false;
    const onData = (stream) => (chunk) => {
      stream.write(chunk);
      if (capture) output += chunk.toString();
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`\n✘ timed out after ${formatMs(timeout)}; stopping it`);
      killTree(child, 'SIGTERM');
      setTimeout(() => killTree(child, 'SIGKILL'), 5000).unref();
    }, timeout);
    let settled = false;
    const done = (code, reason) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      running.delete(child);
      res({ code, output, reason });
    };
    child.on('error', (err) => done(127, `could not start: ${err.message}`));
    child.on('close', (code, signal) => {
      if (timedOut) done(124, `timed out after ${formatMs(timeout)}`);
      else if (interrupted) done(130, 'interrupted');
      else if (code === 0) done(0, 'ok');
      else done(code ?? 1, signal ? `killed by ${signal}` : `exit code ${code}`);
    });
  });
}

function killTree(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, signal); // the whole process group (spawned detached)
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function interrupt(signal) {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error(`\n${signal}: stopping (press Ctrl-C again to quit at once)`);
  for (const child of running) killTree(child, 'SIGTERM');
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Workspace

/** The workspace packages, in pnpm-workspace.yaml order (only `dir` and `dir/*` entries). */
function workspacePackages() {
  let patterns = ['packages/*', 'db', 'apps/*', 'bench'];
  try {
    const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
    const block = yaml.match(/^packages:\s*\n((?:[ \t]*-[^\n]*\n?)+)/m)?.[1] ?? '';
    const found = [...block.matchAll(/-\s*['"]?([^'"\n#]+?)['"]?\s*$/gm)].map((m) => m[1]);
    if (found.length) patterns = found;
  } catch {
    // keep the defaults
  }
  const dirs = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = join(root, pattern.slice(0, -2));
      if (!existsSync(parent)) continue;
      for (const entry of readdirSync(parent, { withFileTypes: true }).sort((a, b) =>
        a.name.localeCompare(b.name),
      )) {
        if (entry.isDirectory()) dirs.push(join(parent, entry.name));
      }
    } else {
      dirs.push(join(root, pattern));
    }
  }
  // Dependencies first, so type errors surface where they start.
  const order = ['packages/contracts', 'packages/core', 'db', 'apps/api', 'apps/web', 'bench'];
  const rank = (rel) => (order.includes(rel) ? order.indexOf(rel) : order.length);
  return dirs
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => ({
      dir,
      rel: relative(root, dir),
      json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
    }))
    .sort((a, b) => rank(a.rel) - rank(b.rel));
}

function pathWithBins(dir) {
  const bins = [join(dir, 'node_modules', '.bin'), join(root, 'node_modules', '.bin')];
  return [...bins, process.env.PATH].join(delimiter);
}

// ---------------------------------------------------------------------------------------------
// Output

function header(title) {
  const line = '━'.repeat(Math.max(3, 96 - title.length));
  console.log(`\n━━━ ${title} ${line}`);
}

function row(name, status, { passed = 0, failed = 0, skipped = 0, ms = 0, note } = {}) {
  return { name, status, passed, failed, skipped, ms, ...(note ? { note } : {}) };
}

function finish() {
  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  const skipped = rows.reduce((n, r) => n + r.skipped, 0);
  const width = Math.max(4, ...rows.map((r) => r.name.length));
  const cols = (a, b, c, d, e, f, g) =>
    `${a.padEnd(width)}  ${b.padEnd(7)}  ${c.padStart(6)}  ${d.padStart(6)}  ${e.padStart(7)}  ${f.padStart(7)}  ${g}`;
  console.log('\n━━━ summary ' + '━'.repeat(88));
  console.log(cols('step', 'result', 'passed', 'failed', 'skipped', 'time', 'note'));
  for (const r of rows) {
    console.log(
      cols(
        r.name,
        r.status,
        String(r.passed),
        String(r.failed),
        String(r.skipped),
        formatMs(r.ms),
        r.note ?? '',
      ),
    );
  }
  console.log('(passed counts tests; a failed lint, type check or build step counts as 1 failed)');
  if (skipped) console.log(`${skipped} test(s) marked skip`);
  if (rows.some((r) => r.status === 'skipped')) {
    console.log('Browser tests were SKIPPED on request: this is not a full verification.');
  }
  if (interrupted) console.log('Interrupted: the run is incomplete.');
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed > 0 || interrupted ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function truthy(value) {
  return value !== undefined && !['', '0', 'false', 'no'].includes(value.toLowerCase());
}

function stripAnsi(text) {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

function lastNumber(text, regex) {
  const all = [...text.matchAll(regex)];
  return all.length ? Number(all[all.length - 1][1]) : undefined;
}

function formatMs(ms) {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)}s`
    : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function sleep(ms) {
  return new Promise((res) => setTimeout(res, ms));
}
