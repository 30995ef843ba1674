import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Routes monitors and load balancers call every few seconds. */
export const probeRoutes: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

const isProbe = (request: FastifyRequest) => probeRoutes.has(request.routeOptions.url ?? '');

/**
 * Fastify's per-request log lines, with those of a probe that answers well at debug instead of
 * info: one line a second from a health check would bury everything else. A probe that fails
 * (4xx, 5xx, an error) is logged as any request is.
 */
export class RequestLogs extends LogController {
  override incomingRequest(
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (!isProbe(request)) {
      super.incomingRequest(request, reply, metadata);
      return;
    }
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (error != null || !isProbe(request) || reply.statusCode >= 400) {
      super.requestCompleted(error, request, reply, metadata);
      return;
    }
    if (this.isLogDisabled(request)) return;
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
