import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type {} from '@fastify/websocket';
import type { WebSocket } from 'ws';
import { CloseCodes, type ChatMessage, type ServerMessage } from '@common/protocol';
import type { EventBus } from '@server/platform/bus';
import type { Clock } from '@server/platform/clock';
import type { Logger } from '@server/platform/log';
import { newId } from '@server/platform/ids';
import {
  defaultFloodLimits,
  KeyedCounter,
  KeyedRateLimiter,
  type FloodLimits,
} from '@server/platform/limits';
import type { LiveMeetings, SpacesGateway } from '@server/modules/spaces';
import { Meeting, type MeetingConfig, type Timers } from '@server/realtime/meeting/meeting';
import {
  LocalRouter,
  type MeetingFactory,
  type Router,
  type SignalStart,
} from '@server/realtime/routing';
import type { MediaEngine } from '@server/realtime/sfu/engine';
import { SignalSession, type SessionBackend, type SessionLimits } from './signal-session';

export interface SignallingDeps {
  gateway: SpacesGateway;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** The media engine, created on first use (the first join), or null to run meetings without media. */
  media: (() => Promise<MediaEngine>) | null;
  /**
   * Makes the router from the meeting factory (and what must run before this node hosts a
   * meeting someone joined through another node); a LocalRouter over this process's meetings by
   * default.
   */
  router?: (newMeeting: MeetingFactory, prepareToHost: () => Promise<void>) => Router;
  /**
   * Records a join token's first use where every node sees it (REDIS_URL); false when it was
   * used already. By default, uses are remembered in this process.
   */
  markJoinTokenUsed?: (jti: string, ttlMs: number) => Promise<boolean>;
  limits?: Partial<SessionLimits>;
  /** Sockets per address (at once, per minute); SIGNAL_LIMITS by default. */
  floodLimits?: FloodLimits;
  resumeGraceMs?: number;
  /** How often the server pings each socket; a socket that missed a pong is dropped. */
  heartbeatMs?: number;
  /**
   * The origin of PUBLIC_URL (read at each upgrade: a test harness learns its port late): a
   * browser's upgrade from any other Origin is refused (403 `origin_not_allowed`); one without
   * Origin (not a browser) is let through. Unset: no check.
   */
  allowedOrigin?: () => string;
  timers?: Timers;
}

export interface Signalling {
  router: Router;
  /** The /ws route (register on the root app, after @fastify/websocket). */
  routes: FastifyPluginAsync;
  /** What spaces' REST needs of live meetings. */
  live: LiveMeetings;
  close(): Promise<void>;
}

const KEPT_CHAT_LIMIT = 200;

/**
 * Wires signalling: join-token checks through the spaces gateway, meetings behind the router,
 * attendance events on the bus, kept chat saved when a meeting ends, and the /ws route.
 */
export function createSignalling(deps: SignallingDeps): Signalling {
  const { gateway, bus, clock, log } = deps;
  const publish = (type: string, payload: unknown, at: string) => {
    bus
      .publish({ type, payload, at })
      .catch((err: unknown) => log.error({ err, type }, 'publish failed'));
  };

  // Resolved by the first join; meetings created before it have no media.
  let engine: MediaEngine | undefined;
  const ensureEngine = async (): Promise<void> => {
    if (engine !== undefined || deps.media === null) return;
    try {
      engine = await deps.media();
    } catch (err) {
      log.error({ err }, 'the media engine could not start; meetings run without media');
    }
  };

  const newMeeting: MeetingFactory = (config, onEnded) => {
    let meeting: Meeting | undefined = undefined;
    const media = engine;
    meeting = new Meeting(config, {
      mediaRoom:
        media === undefined
          ? null
          : (events) => media.room(`${config.spaceId}:${meeting?.id ?? newId()}`, events),
      now: () => clock.now(),
      newId,
      newSecret: () => randomBytes(24).toString('base64url'),
      ...(deps.timers !== undefined ? { timers: deps.timers } : {}),
      ...(deps.resumeGraceMs !== undefined ? { resumeGraceMs: deps.resumeGraceMs } : {}),
      onError: (err, context) => log.warn({ err, context, spaceId: config.spaceId }, 'meeting'),
      hooks: {
        participantJoined: (e) => publish('participant.joined', e, e.at),
        participantLeft: (e) => publish('participant.left', e, e.at),
        ended: (e) => {
          onEnded();
          publish('meeting.ended', { spaceId: e.spaceId, meetingId: e.meetingId }, e.at);
          if (e.keptChat.length > 0) {
            gateway
              .keepChat(
                e.spaceId,
                e.keptChat.map((m) => ({
                  id: m.id,
                  accountId: null,
                  authorName: m.name,
                  text: m.text,
                  sentAt: m.at,
                })),
              )
              .catch((err: unknown) => log.error({ err }, 'keeping chat failed'));
          }
        },
      },
    });
    return meeting;
  };
  const router = deps.router?.(newMeeting, ensureEngine) ?? new LocalRouter(newMeeting);

  // A join token opens one socket: a replayed token (within its minute) is refused.
  const usedTokens = new Map<string, number>();
  const markUsed = async (jti: string, exp: number): Promise<boolean> => {
    const now = clock.now().getTime();
    if (deps.markJoinTokenUsed !== undefined) {
      return deps.markJoinTokenUsed(jti, Math.max(1, exp - now));
    }
    for (const [k, e] of usedTokens) if (e <= now) usedTokens.delete(k);
    if (usedTokens.has(jti)) return false;
    usedTokens.set(jti, exp);
    return true;
  };

  const backend: SessionBackend = {
    join: async (token, link): Promise<SignalStart> => {
      await ensureEngine();
      const check = gateway.verifyJoinToken(token);
      if (!check.ok) {
        return {
          ok: false,
          code: check.reason,
          closeCode:
            check.reason === 'token_expired' ? CloseCodes.tokenExpired : CloseCodes.tokenInvalid,
          message:
            check.reason === 'token_expired'
              ? 'The join token expired; join again.'
              : 'The join token is not valid.',
        };
      }
      const claims = check.claims;
      if (!(await markUsed(claims.jti, claims.exp))) {
        return {
          ok: false,
          code: 'token_invalid',
          closeCode: CloseCodes.tokenInvalid,
          message: 'The join token was already used.',
        };
      }
      const space = await gateway.meetingSpace(claims.sid);
      if (space === undefined) {
        return {
          ok: false,
          code: 'space_not_found',
          closeCode: CloseCodes.spaceNotFound,
          message: 'The space does not exist.',
        };
      }
      let keptChat: ChatMessage[] = [];
      if (space.settings.keepChat && (await router.status(space.spaceId)) === undefined) {
        keptChat = (await gateway.keptChat(space.spaceId, KEPT_CHAT_LIMIT)).map((m) => ({
          id: m.id,
          from: null,
          name: m.authorName,
          text: m.text,
          at: m.sentAt,
        }));
      }
      const config: MeetingConfig = {
        spaceId: space.spaceId,
        slug: space.slug,
        name: space.name,
        ...space.settings,
        keptChat,
      };
      return router.startParticipantSignal(
        config,
        {
          name: claims.name,
          role: claims.role,
          accountId: claims.aid,
          ...(claims.gk !== undefined ? { guestKey: claims.gk } : {}),
        },
        link,
      );
    },
    // async: whatever the router throws becomes a rejection the session answers.
    resume: async (resumeToken, link) => router.resumeParticipantSignal(resumeToken, link),
  };

  const heartbeatMs = deps.heartbeatMs ?? 10_000;
  const sockets = new Set<WebSocket>();
  const limits: SessionLimits | undefined =
    deps.limits === undefined
      ? undefined
      : {
          messagesPerSecond: deps.limits.messagesPerSecond ?? 30,
          maxErrors: deps.limits.maxErrors ?? 20,
          joinTimeoutMs: deps.limits.joinTimeoutMs ?? 10_000,
        };

  // Per address (request.ip, the client's address behind a trusted proxy), on this node: sockets
  // open at once and opened per minute. Per space, sockets are bounded by its join tickets (one
  // socket each, guests' tickets limited per space) and by the meeting's lobby and maximum.
  const flood = deps.floodLimits ?? defaultFloodLimits;
  const socketOpens = new KeyedRateLimiter(clock, flood.socketOpensPerAddressPerMinute);
  const openSockets = new KeyedCounter(flood.socketsPerAddress);

  const allowedOrigin = deps.allowedOrigin;
  /** Before the upgrade: a page on another site must not open meetings with our cookies. */
  const checkOrigin = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (allowedOrigin === undefined || origin === undefined || origin === allowedOrigin()) return;
    await reply.code(403).send({
      error: { code: 'origin_not_allowed', message: 'This origin may not open /ws.' },
    });
  };

  const routes: FastifyPluginAsync = async (app) => {
    const options = {
      websocket: true as const,
      schema: { hide: true },
      preValidation: checkOrigin,
    };
    app.get('/ws', options, (socket, request) => {
      const address = request.ip;
      if (!socketOpens.take(address) || !openSockets.acquire(address)) {
        const refusal: ServerMessage = {
          type: 'error',
          code: 'rate_limited',
          message: 'Too many connections from your address; try again in a minute.',
        };
        socket.send(JSON.stringify(refusal));
        socket.close(CloseCodes.rateLimited, 'rate_limited');
        return;
      }
      sockets.add(socket);
      // request.ip: the client's address (behind a trusted proxy, the one the proxy names); the
      // media engine takes ICE candidates only there (sfu/candidates.ts).
      const session = new SignalSession(socket, backend, log, limits, undefined, request.ip);
      let alive = true;
      const heartbeat = setInterval(() => {
        if (!alive) {
          // No pong since the last ping: the network is gone; the grace period starts now.
          socket.terminate();
          return;
        }
        alive = false;
        socket.ping();
      }, heartbeatMs);
      heartbeat.unref();
      socket.on('pong', () => {
        alive = true;
      });
      socket.on('message', (data, isBinary) => {
        alive = true;
        session.onFrame(data, isBinary);
      });
      socket.on('error', (err) => request.log.info({ err }, 'signalling socket error'));
      socket.on('close', (code: number) => {
        openSockets.release(address);
        clearInterval(heartbeat);
        sockets.delete(socket);
        session.onClose(code);
      });
    });
  };

  return {
    router,
    routes,
    live: {
      status: (spaceId) => router.status(spaceId),
      liveSpaceIds: () => router.liveSpaceIds(),
      end: (spaceId) => router.endMeeting(spaceId, 'space_deleted'),
      applySettings: (spaceId, s) =>
        router.updateSettings(spaceId, {
          lobby: s.lobby,
          anyoneCanStart: s.anyoneCanStart,
          muteOnJoin: s.muteOnJoin,
          maxParticipants: s.maxParticipants,
          lockCamera: s.lockCamera,
          lockMicrophone: s.lockMicrophone,
          lockChat: s.lockChat,
          lockScreenShare: s.lockScreenShare,
          keepChat: s.keepChat,
        }),
    },
    close: async () => {
      await router.close();
      for (const s of sockets) s.close(CloseCodes.goingAway, 'server stopping');
    },
  };
}
