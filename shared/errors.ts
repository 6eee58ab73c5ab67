/**
 * Typed errors. The HTTP layer maps AppError to its status; the consumer wrapper treats
 * PermanentError (and any 4xx AppError) as "retrying cannot fix this" and everything else as transient.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class PermanentError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PermanentError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthorized = (message = 'authentication required') => new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'admin identity required') => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
