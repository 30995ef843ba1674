import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import { isStorageError } from '@server/platform/db';
import type { ErrorBody, ErrorCode } from '@common/api/errors';
import { AppError } from './errors';

function body(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return details === undefined
    ? { error: { code, message } }
    : { error: { code, message, details } };
}

/** Maps a framework error (parser, limits, validation) to our stable code. */
function classify(err: FastifyError): {
  status: number;
  code: ErrorCode;
  message: string;
  details?: unknown;
} {
  if (hasZodFastifySchemaValidationErrors(err)) {
    return {
      status: 400,
      code: 'validation_failed',
      message: 'The request is not valid.',
      details: err.validation.map((v) => ({
        in: err.validationContext,
        path: v.instancePath,
        message: v.message,
      })),
    };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'payload_too_large', message: 'The request body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'unsupported_media_type', message: 'Unsupported content type.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'invalid_json', message: 'The body is not valid JSON.' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'validation_failed', message: 'Invalid content length.' };
  }
  if (err instanceof SyntaxError || err.statusCode === 400) {
    // JSON.parse errors raised by the body parser carry statusCode 400.
    const isJson = /JSON/i.test(err.message);
    return isJson
      ? { status: 400, code: 'invalid_json', message: 'The body is not valid JSON.' }
      : { status: 400, code: 'validation_failed', message: err.message };
  }
  if (err.statusCode === 429)
    return { status: 429, code: 'rate_limited', message: 'Too many requests; try again later.' };
  if (err.statusCode === 404) return { status: 404, code: 'not_found', message: 'Not found.' };
  if (err.statusCode === 405)
    return { status: 405, code: 'method_not_allowed', message: 'Method not allowed.' };
  if (err.statusCode === 401)
    return { status: 401, code: 'unauthenticated', message: 'You need to log in.' };
  if (err.statusCode === 403)
    return { status: 403, code: 'forbidden', message: 'You may not do that.' };
  if (err.statusCode === 413)
    return { status: 413, code: 'payload_too_large', message: 'The request body is too large.' };
  if (err.statusCode === 415)
    return { status: 415, code: 'unsupported_media_type', message: 'Unsupported content type.' };
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return { status: err.statusCode, code: 'validation_failed', message: err.message };
  }
  if (isStorageError(err)) {
    return {
      status: 503,
      code: 'storage_unavailable',
      message: 'Commonhall cannot save anything right now (its storage is full or read-only).',
    };
  }
  return { status: 500, code: 'internal_error', message: 'Something went wrong on our side.' };
}

/** The one place that renders every error as `{error:{code,message,details}}`. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof AppError) {
      if (err.statusCode >= 500) request.log.error({ err }, err.message);
      return reply.status(err.statusCode).send(body(err.code, err.message, err.details));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err, url: request.url }, 'response did not match its schema');
      return reply.status(500).send(body('internal_error', 'Something went wrong on our side.'));
    }
    const c = classify(err);
    if (c.status >= 500) request.log.error({ err }, 'unhandled error');
    else request.log.info({ code: c.code, status: c.status }, err.message);
    return reply.status(c.status).send(body(c.code, c.message, c.details));
  });
}

/**
 * Fastify's `frameworkErrors` option: errors the router raises before any route or error handler
 * runs (a path with broken percent-encoding, a path parameter over maxParamLength) get our
 * `{error:{code}}` body instead of Fastify's own.
 */
export function renderFrameworkError(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  request.log.info({ code: err.code }, err.message);
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send(body('validation_failed', 'A part of the URL is too long.'));
    return;
  }
  void reply.status(400).send(body('validation_failed', 'The URL is not valid.'));
}
