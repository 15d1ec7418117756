import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.ts';

const SPA_ENTRY = 'index.html';

/** The built web app, if there is one: its files and the CSP hashes of its inline boot script. */
export interface WebBuild {
  root: string;
  files: Set<string>;
  /** CSP sources the app's inline code needs, e.g. `'sha256-…'`. */
  inlineSources: InlineSources;
}

export interface InlineSources {
  scriptSrc: string[];
  styleSrc: string[];
}

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? listFiles(root, path)
      : [relative(root, path).split(sep).join('/')];
  });
}

/**
 * What the SPA shell runs inline, as CSP sources: the hash of each inline script, computed
 * here from the file itself; and the style hashes the build declares in its own CSP meta tag
 * (SvelteKit's route announcer has one style attribute, admitted by 'unsafe-hashes' + hash).
 */
export function inlineSources(html: string): InlineSources {
  const scriptSrc: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
    const body = match[1] ?? '';
    if (body.trim())
      scriptSrc.push(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  }
  const meta =
    /<meta[^>]+http-equiv="content-security-policy"[^>]+content="([^"]*)"/i.exec(html)?.[1] ?? '';
  const styleDirective =
    meta
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .find((d) => d[0] === 'style-src') ?? [];
  const styleSrc = styleDirective.filter((token) =>
    /^'(unsafe-hashes|sha(256|384|512)-[A-Za-z0-9+/=]+)'$/.test(token),
  );
  return { scriptSrc, styleSrc };
}

export function readWebBuild(root: string): WebBuild | null {
  const entry = join(root, SPA_ENTRY);
  if (!existsSync(entry)) return null;
  return {
    root,
    files: new Set(listFiles(root)),
    inlineSources: inlineSources(readFileSync(entry, 'utf8')),
  };
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/**
 * Serves the built SvelteKit app on the same origin as the API: known files as they are
 * (hashed assets cached for a year), every other path the SPA shell. Only files found at
 * start are ever served, so no request can reach outside the build folder.
 */
export async function webRoutes(app: FastifyInstance, opts: { build: WebBuild | null }) {
  const { build } = opts;
  if (build) await app.register(fastifyStatic, { root: build.root, serve: false });

  // Static files are not rate limited: one page load fetches dozens of hashed assets.
  app.get(
    '/*',
    { config: { permission: 'public', rateLimit: false }, schema: { hide: true } },
    (request, reply) => {
      const path = safeDecode(request.url.split('?')[0] ?? '/').replace(/^\/+/, '');
      if (!build || path.startsWith('api/') || path.startsWith('submit/'))
        throw notFound('This page');
      if (build.files.has(path)) {
        const immutable = path.startsWith('_app/immutable/');
        return reply
          .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
          .sendFile(path, { cacheControl: false });
      }
      return reply
        .header('cache-control', 'no-cache')
        .type('text/html')
        .sendFile(SPA_ENTRY, { cacheControl: false });
    },
  );
}
