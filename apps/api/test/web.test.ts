import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withTestApp } from './helpers.ts';

const web = suite('serving the web app');

const BOOT = '\n  console.log("boot");\n';
const STYLE_HASH = "'sha256-S8qMpvofolR8Mpjy4kQvEm7m1q8clzU4dfDH0AmvZjo='";
const SHELL = `<!doctype html><html><head>
<meta http-equiv="content-security-policy" content="default-src 'self'; style-src 'self' 'unsafe-hashes' ${STYLE_HASH}; script-src 'self' 'sha256-ignored='">
</head><body><script>${BOOT}</script></body></html>`;

let dir: string;
web.before(() => {
  dir = mkdtempSync(join(tmpdir(), 'teamspiegel-web-'));
  mkdirSync(join(dir, '_app/immutable'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), SHELL);
  writeFileSync(join(dir, '_app/immutable/app.abc123.js'), 'export const app = 1;');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
// Registered after the hook above, so the build exists when the app starts; closed first.
const t = withTestApp(web, () => ({ TEAMSPIEGEL_WEB_DIR: dir }), { seed: false });
web.after(() => {
  rmSync(dir, { recursive: true, force: true });
});

web('any page path gets the SPA shell, uncached', async () => {
  for (const url of ['/', '/admin/people', '/login?returnTo=%2Fadmin']) {
    const response = await t.app.inject(url);
    assert.is(response.statusCode, 200, url);
    assert.match(response.headers['content-type'] as string, /text\/html/);
    assert.is(response.headers['cache-control'], 'no-cache');
    assert.ok(response.body.includes('console.log("boot")'));
  }
});

web('hashed assets are served and cached for a year', async () => {
  const response = await t.app.inject('/_app/immutable/app.abc123.js');
  assert.is(response.statusCode, 200);
  assert.is(response.body, 'export const app = 1;');
  assert.match(response.headers['cache-control'] as string, /immutable/);
});

web(
  'the CSP admits exactly the inline boot script by its hash, and the declared style hash',
  async () => {
    const csp = (await t.app.inject('/')).headers['content-security-policy'] as string;
    const bootHash = `'sha256-${createHash('sha256').update(BOOT).digest('base64')}'`;
    const scriptSrc = csp.split(';').find((d) => d.startsWith('script-src')) ?? '';
    assert.ok(scriptSrc.includes(bootHash), scriptSrc);
    assert.not.ok(scriptSrc.includes('unsafe-inline'));
    assert.not.ok(
      scriptSrc.includes('sha256-ignored'),
      'script hashes come from the file, not the meta tag',
    );
    const styleSrc = csp.split(';').find((d) => d.startsWith('style-src')) ?? '';
    assert.ok(styleSrc.includes(STYLE_HASH));
    assert.not.ok(styleSrc.includes('unsafe-inline'));
  },
);

web('paths outside the build never reach the file system', async () => {
  for (const url of [
    '/../package.json',
    '/%2e%2e/%2e%2e/package.json',
    '/_app/../../session-secret',
    '/%E0%A4%A',
  ]) {
    const response = await t.app.inject(url);
    // The SPA shell, a 404 or a refused URL; never the file.
    assert.ok([200, 400, 404].includes(response.statusCode), `${url}: ${response.statusCode}`);
    assert.not.ok(response.body.includes('"name"'), url);
  }
});

web('unknown API paths are a JSON 404, not the shell', async () => {
  const response = await t.app.inject('/api/v1/nothing-here');
  assert.is(response.statusCode, 404);
  assert.equal(response.json(), { code: 'not_found', message: 'This page does not exist.' });
});

web.run();
