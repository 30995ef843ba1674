import type { ErrorCode } from '@common/api/errors';
import { mixesScripts, wordMixesScripts } from '@common/mixed-script';

/**
 * The one error type the server throws on purpose. Its code is stable and reaches the client in
 * `{error:{code,message,details}}`; the message is English for logs and API users, the app shows
 * a translation of the code.
 */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: ErrorCode, message: string, details?: unknown) =>
  new AppError(400, code, message, details);
export const unauthenticated = (
  message = 'You need to log in.',
  code: ErrorCode = 'unauthenticated',
) => new AppError(401, code, message);
export const forbidden = (message = 'You may not do that.', code: ErrorCode = 'forbidden') =>
  new AppError(403, code, message);
export const notFound = (code: ErrorCode, message: string, details?: unknown) =>
  new AppError(404, code, message, details);
export const conflict = (code: ErrorCode, message: string, details?: unknown) =>
  new AppError(409, code, message, details);
export const gone = (code: ErrorCode, message: string, details?: unknown) =>
  new AppError(410, code, message, details);
export const payloadTooLarge = (message: string, details?: unknown) =>
  new AppError(413, 'payload_too_large', message, details);
export const unprocessable = (code: ErrorCode, message: string, details?: unknown) =>
  new AppError(422, code, message, details);
export const tooManyRequests = (
  message = 'Too many requests; try again later.',
  details?: unknown,
) => new AppError(429, 'rate_limited', message, details);

/**
 * 400 `slug_mixed_script` when `text` mixes scripts as look-alike names do (common/mixed-script.ts):
 * checked whole (space addresses) or word by word (handbook titles, which are prose).
 */
export function refuseMixedScript(text: string, by: 'whole' | 'word'): void {
  if (by === 'whole' ? mixesScripts(text) : wordMixesScripts(text)) {
    throw badRequest(
      'slug_mixed_script',
      by === 'whole'
        ? 'The address mixes scripts (such as Latin and Cyrillic letters); use letters of one script.'
        : 'A word of the title mixes scripts (such as Latin and Cyrillic letters); use letters of one script in each word.',
    );
  }
}
