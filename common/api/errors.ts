/**
 * Stable error codes the API returns in `{error:{code,message,details}}`. Codes are never renamed
 * once shipped; the app translates them (i18n key `errors.<code>`). Each domain keeps its own list
 * in `<domain>.errors.ts` beside this file.
 */
import { authErrorCodes } from './auth.errors';
import { handbookErrorCodes } from './handbook.errors';
import { spacesErrorCodes } from './spaces.errors';

export const commonErrorCodes = [
  'validation_failed',
  'invalid_json',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'route_not_found',
  'method_not_allowed',
  'rate_limited',
  'internal_error',
  'unauthenticated',
  'forbidden',
  'csrf_invalid',
  'origin_not_allowed',
  'service_unavailable',
  'storage_unavailable',
  /** Spaces' addresses and handbook titles alike (common/mixed-script.ts). */
  'slug_mixed_script',
] as const;

export const errorCodes = [
  ...commonErrorCodes,
  ...authErrorCodes,
  ...spacesErrorCodes,
  ...handbookErrorCodes,
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
