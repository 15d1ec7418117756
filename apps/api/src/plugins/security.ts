import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import type { InlineSources } from '../web/web.routes.ts';

/**
 * Security headers with a strict Content-Security-Policy: only our own origin, and inline
 * scripts only by the hashes of the boot script the built web app needs. Nothing third-party.
 */
export const securityPlugin = fp(
  async (app: FastifyInstance, opts: { config: Config; inlineSources: InlineSources }) => {
    const { config, inlineSources } = opts;
    await app.register(fastifyHelmet, {
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'", ...inlineSources.scriptSrc],
          styleSrc: ["'self'", ...inlineSources.styleSrc],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          // Answers go to the submission origin when it is a host of its own (anonymity.md 4.3).
          connectSrc: ["'self'", ...(config.submitOrigin ? [config.submitOrigin] : [])],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          ...(config.nodeEnv === 'production' ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.nodeEnv === 'production',
      crossOriginEmbedderPolicy: true,
      referrerPolicy: { policy: 'no-referrer' },
    });
    // Nothing from the API may be cached by a shared proxy or a station PC's browser.
    app.addHook('onSend', (request, reply, payload, done) => {
      if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
      done(null, payload);
    });
    await app.register(fastifyRateLimit, {
      global: true,
      max: config.rateLimitPerMinute,
      timeWindow: 60_000,
      errorResponseBuilder: () =>
        new AppError(429, 'rate_limited', 'Too many requests. Please wait a moment.'),
    });
  },
);
