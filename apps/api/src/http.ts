import { ErrorBody } from '@teamspiegel/contracts';

/**
 * Every error status a route can answer with, each as `{ code, message }`. Declared on every
 * route so the OpenAPI document is honest and the serializer drops anything else.
 */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  429: ErrorBody,
} as const;
