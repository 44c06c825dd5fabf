/** Errors a service throws; the error handler turns them into the one error shape. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const badRequest = (message: string, details?: unknown[]) => new AppError(400, 'bad_request', message, details);
export const validationFailed = (message: string, details?: unknown[]) => new AppError(422, 'validation_failed', message, details);
export const unauthorized = (message = 'authentication required') => new AppError(401, 'unauthorized', message);
export const forbidden = (message: string) => new AppError(403, 'forbidden', message);
export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const conflict = (message: string, details?: unknown[]) => new AppError(409, 'conflict', message, details);
export const tooManyRequests = (message: string, retryAfterS: number, details?: unknown[]) =>
  new AppError(429, 'rate_limited', message, details, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterS))) });
