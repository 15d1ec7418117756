import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ErrorBody, ErrorCode } from '@teamspiegel/contracts';
import { AppError } from '../errors.ts';

/** Fastify's own error codes that are the client's fault, with our stable code for each. */
const FRAMEWORK_CODES: Record<string, [number, ErrorCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json', 'The request body is not valid JSON.'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'malformed_json', 'The request body is empty.'],
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'payload_too_large', 'The request body is too large.'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [
    415,
    'unsupported_media_type',
    'Send the request body as application/json.',
  ],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_request', 'The Content-Length is wrong.'],
  FST_CSRF_INVALID_TOKEN: [403, 'csrf_invalid', 'The security token is missing or out of date.'],
  FST_CSRF_MISSING_SECRET: [403, 'csrf_invalid', 'The security token is missing or out of date.'],
};

const STATUS_CODES: Record<number, ErrorCode> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Turns any thrown error into `{ code, message }`; a 5xx reveals nothing but that it happened. */
export function toErrorBody(error: FastifyError): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    return { status: error.statusCode, body: { code: error.code, message: error.message } };
  }
  if (error.validation) {
    return {
      status: 400,
      body: { code: 'validation_failed', message: `Invalid request: ${error.message}.` },
    };
  }
  const known = FRAMEWORK_CODES[error.code];
  if (known) return { status: known[0], body: { code: known[1], message: known[2] } };
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return {
      status,
      body: {
        code: STATUS_CODES[status] ?? 'bad_request',
        message: 'The request was not accepted.',
      },
    };
  }
  return {
    status: 500,
    body: {
      code: 'internal_error',
      message: 'Something went wrong on our side. Please try again later.',
    },
  };
}

export const errorsPlugin = fp((app: FastifyInstance) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = toErrorBody(error);
    // Log the cause of a server fault, never the request body (it may hold personal data).
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.status(404).send({
      code: 'not_found',
      message: 'There is nothing at this address.',
    } satisfies ErrorBody),
  );
});
