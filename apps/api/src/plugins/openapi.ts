import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Type } from 'typebox';

/** The OpenAPI document, generated from the same schemas that validate every request. */
export const openapiPlugin = fp(async (app: FastifyInstance) => {
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Teamspiegel API',
        description: 'Anonymous pulse survey on social safety and inclusion in police teams.',
        version: '1',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'teamspiegel' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
  });
});

export function openapiRoutes(app: FastifyInstance) {
  app.get(
    '/api/v1/openapi.json',
    {
      config: { permission: 'public' },
      schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } },
    },
    () => app.swagger(),
  );
}
