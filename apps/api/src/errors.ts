import type { ErrorCode } from '@teamspiegel/contracts';

/**
 * An expected failure with a stable code. Thrown from handlers and hooks and translated
 * into `{ code, message }` by the one error handler (plugins/errors.ts).
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what = 'That item') =>
  new AppError(404, 'not_found', `${what} does not exist.`);
export const forbidden = () => new AppError(403, 'forbidden', 'You do not have access to this.');
export const conflict = (code: ErrorCode, message: string) => new AppError(409, code, message);
export const badRequest = (code: ErrorCode, message: string) => new AppError(400, code, message);
