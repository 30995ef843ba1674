import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { CloseCodes, type ClientMessage, type ServerMessage } from '@common/protocol';
import { quitRedis } from '@server/platform/bus';
import type { Logger } from '@server/platform/log';
import type {
  JoinRequest,
  MeetingConfig,
  MeetingSettings,
  ParticipantLink,
} from '@server/realtime/meeting/meeting';
import { LocalRouter, type MeetingFactory } from './local-router';
import type { LiveStatus, ParticipantSignal, Router, SignalStart } from './router';

export interface RedisRouterOptions {
  /** A connected client for commands and publishing. */
  pub: Redis;
  /** A connected client of its own for subscribing (the router subscribes it). */
  sub: Redis;
  log: Logger;
  /** Prefixes every key and channel (several halls or test runs on one Redis). */
  prefix?: string;
  /** Runs before this node hosts a meeting for another node (starts the media engine). */
  prepareToHost?: () => Promise<void>;
  /** How long a placement and a node's liveness last without a heartbeat. */
  ttlMs?: number;
  heartbeatMs?: number;
  /** How long a node waits for another node's answer. */
  callTimeoutMs?: number;
}

/** What one node asks the node hosting a meeting, and gets an answer to. */
type Call =
  | {
      k: 'connect';
      relay: string;
      config: MeetingConfig;
      request: JoinRequest;
      /** The participant's signalling address (ParticipantLink.address). */
      address?: string;
    }
  | { k: 'resume'; relay: string; token: string; address?: string }
  | { k: 'status'; spaceId: string }
  | { k: 'settings'; spaceId: string; settings: MeetingSettings }
  | { k: 'end'; spaceId: string; reason: 'space_deleted' | 'ended_by_moderator' };

/** The answer to connect/resume as it crosses: in (with the id), refused, or "ask again". */
type StartReply =
  { ok: true; participantId: string } | Extract<SignalStart, { ok: false }> | { retry: true };

/** Every message on a node's channel. */
type Envelope =
  | { t: 'call'; id: string; from: string; call: Call }
  | { t: 'reply'; id: string; result: unknown }
  /** A relayed participant's validated message, from their socket's node to the host. */
  | { t: 'msg'; relay: string; message: ClientMessage }
  /** A relayed participant's socket closed. */
  | { t: 'gone'; relay: string; pageGone?: boolean }
  /** From the host, for a relayed participant's socket. */
  | { t: 'send'; relay: string; message: ServerMessage }
  | { t: 'close'; relay: string; code: number; reason: string };

const UNREACHABLE = Symbol('unreachable');
/** Resume tokens outlive any grace period; an old one only finds no meeting. */
const RESUME_TTL_MS = 24 * 3600_000;

/** Placement: claims the key for this node unless another holds it; returns the holder. */
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`;
const REFRESH = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const unavailable: SignalStart = {
  ok: false,
  code: 'internal_error',
  closeCode: CloseCodes.internalError,
  message: 'The meeting could not be reached; try again.',
};
const resumeFailed: SignalStart = {
  ok: false,
  code: 'resume_failed',
  closeCode: CloseCodes.resumeFailed,
  message: 'Nothing to resume; join again.',
};

/**
 * Meetings across several nodes sharing Redis (REDIS_URL), after LiveKit's RedisRouter wrapping
 * its LocalRouter. A meeting lives on exactly one node: the first join claims the space's
 * placement key (SET NX with an expiry every node's heartbeat refreshes, so a dead node's
 * meetings are released). A participant whose socket reaches another node is relayed: their
 * validated messages go over pub/sub to the hosting node's channel, the meeting's messages come
 * back over their node's channel to their socket. status, settings and ending are calls to the
 * hosting node. When a hosting node closes, its meetings end with 1001 for everyone, relayed or
 * not (clients come back, as after a restart); when it dies, the nodes relaying to it notice
 * within a heartbeat or two and close those sockets the same way.
 */
export class RedisRouter implements Router {
  readonly nodeId: string;
  private readonly local: LocalRouter;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly log: Logger;
  private readonly p: string;
  private readonly ttlMs: number;
  private readonly callTimeoutMs: number;
  private readonly prepareToHost: () => Promise<void>;
  private readonly ready: Promise<unknown>;
  private readonly heartbeat: NodeJS.Timeout;
  /** Spaces whose placement this node holds. */
  private readonly placed = new Set<string>();
  /** Participants whose socket is here and whose meeting is elsewhere: relay id → socket, host. */
  private readonly relays = new Map<string, { link: ParticipantLink; host: string }>();
  /** Participants hosted here whose socket is elsewhere: relay id → signal, their node. */
  private readonly hosted = new Map<string, { signal: ParticipantSignal; edge: string }>();
  private readonly pending = new Map<string, (result: unknown) => void>();
  /** Hosting work runs one piece at a time, in arrival order (placement, then the meeting). */
  private serial: Promise<unknown> = Promise.resolve();
  private closed = false;
  private beating = false;

  constructor(newMeeting: MeetingFactory, options: RedisRouterOptions) {
    this.nodeId = randomBytes(8).toString('hex');
    this.pub = options.pub;
    this.sub = options.sub;
    this.log = options.log;
    this.p = options.prefix ?? 'commonhall:';
    this.ttlMs = options.ttlMs ?? 15_000;
    this.callTimeoutMs = options.callTimeoutMs ?? 5_000;
    this.prepareToHost = options.prepareToHost ?? (() => Promise.resolve());
    this.local = new LocalRouter((config, onEnded) =>
      newMeeting(config, () => {
        onEnded();
        this.release(config.spaceId);
      }),
    );
    const channel = this.channelOf(this.nodeId);
    this.sub.on('messageBuffer', (ch: Buffer, data: Buffer) => {
      if (ch.toString() === channel) this.onEnvelope(data);
    });
    this.ready = Promise.all([
      this.sub.subscribe(channel),
      this.pub.set(this.aliveKey(this.nodeId), '1', 'PX', this.ttlMs),
    ]);
    this.heartbeat = setInterval(() => {
      this.beat().catch((err: unknown) => this.log.warn({ err }, 'router heartbeat failed'));
    }, options.heartbeatMs ?? 5_000);
    this.heartbeat.unref();
  }

  async startParticipantSignal(
    config: MeetingConfig,
    request: JoinRequest,
    link: ParticipantLink,
  ): Promise<SignalStart> {
    await this.ready;
    for (let attempt = 0; attempt < 3; attempt++) {
      const here = await this.inTurn(
        async (): Promise<{ owner: string } | { owner: null; start: SignalStart }> => {
          const owner = await this.claim(config.spaceId);
          if (owner !== this.nodeId) return { owner };
          await this.prepareToHost();
          return { owner: null, start: this.hostStart(config, request, link) };
        },
      );
      if (here.owner === null) return here.start;
      const start = await this.relayTo(here.owner, link, (relay) => ({
        k: 'connect',
        relay,
        config,
        request,
        ...(link.address !== undefined ? { address: link.address } : {}),
      }));
      // Nobody listens on the holder's channel: it died; free its placement and try again.
      if (start === 'unreachable') await this.releaseFor(config.spaceId, here.owner);
      else if (start !== 'retry') return start;
    }
    return unavailable;
  }

  async resumeParticipantSignal(resumeToken: string, link: ParticipantLink): Promise<SignalStart> {
    await this.ready;
    const spaceId = await this.pub.get(this.resumeKey(resumeToken));
    const owner = spaceId === null ? null : await this.pub.get(this.placementKey(spaceId));
    if (owner === null) return resumeFailed;
    if (owner === this.nodeId)
      return this.inTurn(() => Promise.resolve(this.local.resume(resumeToken, link)));
    const start = await this.relayTo(owner, link, (relay) => ({
      k: 'resume',
      relay,
      token: resumeToken,
      ...(link.address !== undefined ? { address: link.address } : {}),
    }));
    return typeof start === 'string' ? resumeFailed : start;
  }

  async status(spaceId: string): Promise<LiveStatus | undefined> {
    const owner = await this.pub.get(this.placementKey(spaceId));
    if (owner === null) return undefined;
    if (owner === this.nodeId) return this.local.statusNow(spaceId);
    const reply = await this.call(owner, { k: 'status', spaceId });
    return reply === UNREACHABLE || reply === null ? undefined : (reply as LiveStatus);
  }

  async liveSpaceIds(): Promise<string[]> {
    const prefix = this.placementKey('');
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await this.pub.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      keys.push(...found);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const owners = await this.pub.mget(keys);
    const ids: string[] = [];
    keys.forEach((key, i) => {
      const spaceId = key.slice(prefix.length);
      const owner = owners[i];
      if (owner === null || owner === undefined) return;
      if (owner !== this.nodeId || this.local.statusNow(spaceId) !== undefined) ids.push(spaceId);
    });
    return [...new Set(ids)];
  }

  async updateSettings(spaceId: string, settings: MeetingSettings): Promise<void> {
    const owner = await this.pub.get(this.placementKey(spaceId));
    if (owner === null) return;
    if (owner === this.nodeId) this.local.applySettings(spaceId, settings);
    else await this.call(owner, { k: 'settings', spaceId, settings });
  }

  async endMeeting(spaceId: string, reason: 'space_deleted' | 'ended_by_moderator'): Promise<void> {
    const owner = await this.pub.get(this.placementKey(spaceId));
    if (owner === null) return;
    if (owner === this.nodeId) this.local.end(spaceId, reason);
    else await this.call(owner, { k: 'end', spaceId, reason });
  }

  stats(): { meetings: number; participants: number } {
    return this.local.stats();
  }

  /** Sockets here relayed to other nodes, participants here whose socket is elsewhere, calls awaiting an answer. */
  relayStats(): { relayed: number; hosted: number; pending: number } {
    return { relayed: this.relays.size, hosted: this.hosted.size, pending: this.pending.size };
  }

  /**
   * Leaves the cluster: participants relayed from here are reported gone to their hosts (their
   * grace period starts; they come back through any node), the meetings hosted here end with
   * 1001 for everyone wherever their socket is, and the placements are released.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    for (const [relay, r] of this.relays) this.send(r.host, { t: 'gone', relay });
    this.relays.clear();
    await this.local.close();
    this.hosted.clear();
    for (const spaceId of [...this.placed]) this.release(spaceId);
    void this.pub.del(this.aliveKey(this.nodeId)).catch(() => undefined);
    for (const resolve of this.pending.values()) resolve(UNREACHABLE);
    this.pending.clear();
    // quit() sends what is queued first: the closes above reach the other nodes.
    await Promise.all([quitRedis(this.sub), quitRedis(this.pub)]);
  }

  // ───────────────────────── hosting ─────────────────────────

  /** Starts a participant in a meeting here and makes their resume token findable from any node. */
  private hostStart(config: MeetingConfig, request: JoinRequest, link: ParticipantLink) {
    this.placed.add(config.spaceId);
    return this.local.start(config, request, link, (token) => {
      this.pub
        .set(this.resumeKey(token), config.spaceId, 'PX', RESUME_TTL_MS)
        .catch((err: unknown) => this.log.warn({ err }, 'saving a resume token failed'));
    });
  }

  /** A call from another node, answered in turn with the hosting work here. */
  private async answer(from: string, call: Call): Promise<unknown> {
    switch (call.k) {
      case 'connect': {
        const owner = await this.claim(call.config.spaceId);
        if (owner !== this.nodeId) return { retry: true } satisfies StartReply;
        await this.prepareToHost();
        const link = this.remoteLink(from, call.relay, call.address);
        return this.hosting(call.relay, from, this.hostStart(call.config, call.request, link));
      }
      case 'resume': {
        const link = this.remoteLink(from, call.relay, call.address);
        return this.hosting(call.relay, from, this.local.resume(call.token, link));
      }
      case 'status':
        return this.local.statusNow(call.spaceId) ?? null;
      case 'settings':
        this.local.applySettings(call.spaceId, call.settings);
        return true;
      case 'end':
        this.local.end(call.spaceId, call.reason);
        return true;
    }
  }

  private hosting(relay: string, edge: string, start: SignalStart): StartReply {
    if (!start.ok) return start;
    this.hosted.set(relay, { signal: start.signal, edge });
    return { ok: true, participantId: start.signal.participantId };
  }

  /** The link a meeting here uses for a participant whose socket is on node `edge`. */
  private remoteLink(edge: string, relay: string, address: string | undefined): ParticipantLink {
    return {
      ...(address !== undefined ? { address } : {}),
      send: (message) => this.send(edge, { t: 'send', relay, message }),
      close: (code, reason) => {
        this.hosted.delete(relay);
        this.send(edge, { t: 'close', relay, code, reason });
      },
    };
  }

  // ───────────────────────── relaying ─────────────────────────

  /**
   * Relays a participant whose socket is here to the meeting on node `host` (a connect or resume
   * call): their start, or why there is none (no answer; the host no longer holds the meeting).
   */
  private async relayTo(
    host: string,
    link: ParticipantLink,
    call: (relay: string) => Call,
  ): Promise<SignalStart | 'unreachable' | 'retry'> {
    const relay = randomBytes(12).toString('hex');
    this.relays.set(relay, { link, host });
    const reply = await this.call(host, call(relay));
    if (reply === UNREACHABLE || 'retry' in (reply as StartReply)) {
      this.relays.delete(relay);
      return reply === UNREACHABLE ? 'unreachable' : 'retry';
    }
    return this.relayedStart(relay, host, reply as Exclude<StartReply, { retry: true }>);
  }

  private relayedStart(
    relay: string,
    host: string,
    reply: Exclude<StartReply, { retry: true }>,
  ): SignalStart {
    if (!reply.ok) {
      this.relays.delete(relay);
      return reply;
    }
    return {
      ok: true,
      signal: {
        participantId: reply.participantId,
        receive: (message) => {
          if (this.relays.has(relay)) this.send(host, { t: 'msg', relay, message });
        },
        disconnected: (pageGone) => {
          if (!this.relays.delete(relay)) return;
          this.send(host, { t: 'gone', relay, ...(pageGone === true ? { pageGone } : {}) });
        },
      },
    };
  }

  private onEnvelope(data: Buffer): void {
    let e: Envelope;
    try {
      e = JSON.parse(data.toString('utf8')) as Envelope;
    } catch (err) {
      this.log.warn({ err }, 'undecodable router message');
      return;
    }
    switch (e.t) {
      case 'reply': {
        const resolve = this.pending.get(e.id);
        this.pending.delete(e.id);
        resolve?.(e.result);
        return;
      }
      case 'send':
        this.relays.get(e.relay)?.link.send(e.message);
        return;
      case 'close': {
        const r = this.relays.get(e.relay);
        this.relays.delete(e.relay);
        r?.link.close(e.code, e.reason);
        return;
      }
      case 'call':
        void this.inTurn(async () => {
          let result: unknown;
          try {
            result = await this.answer(e.from, e.call);
          } catch (err) {
            this.log.error({ err, call: e.call.k }, 'router call failed');
            result = e.call.k === 'connect' || e.call.k === 'resume' ? unavailable : null;
          }
          this.send(e.from, { t: 'reply', id: e.id, result });
        });
        return;
      case 'msg':
        void this.inTurn(() => {
          const h = this.hosted.get(e.relay);
          if (h === undefined) return Promise.resolve();
          try {
            h.signal.receive(e.message);
          } catch (err) {
            this.log.error({ err, type: e.message.type }, 'relayed message failed');
            this.send(h.edge, {
              t: 'send',
              relay: e.relay,
              message: { type: 'error', code: 'internal_error', message: 'Something went wrong.' },
            });
          }
          return Promise.resolve();
        });
        return;
      case 'gone':
        void this.inTurn(() => {
          const h = this.hosted.get(e.relay);
          this.hosted.delete(e.relay);
          h?.signal.disconnected(e.pageGone === true);
          return Promise.resolve();
        });
        return;
    }
  }

  // ───────────────────────── plumbing ─────────────────────────

  private inTurn<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => undefined);
    return run;
  }

  /** Asks node `to`; UNREACHABLE when nobody listens there or no answer comes in time. */
  private async call(to: string, call: Call): Promise<unknown> {
    if (this.closed) return UNREACHABLE;
    const id = randomBytes(12).toString('hex');
    const answered = new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve(UNREACHABLE);
      }, this.callTimeoutMs);
      timer.unref();
      this.pending.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
    const receivers = await this.pub.publish(
      this.channelOf(to),
      JSON.stringify({ t: 'call', id, from: this.nodeId, call } satisfies Envelope),
    );
    if (receivers === 0) {
      this.pending.get(id)?.(UNREACHABLE);
      this.pending.delete(id);
    }
    return answered;
  }

  private send(to: string, e: Envelope): void {
    if (this.pub.status === 'end') return;
    this.pub
      .publish(this.channelOf(to), JSON.stringify(e))
      .catch((err: unknown) => this.log.warn({ err }, 'router publish failed'));
  }

  private async claim(spaceId: string): Promise<string> {
    return (await this.pub.eval(
      CLAIM,
      1,
      this.placementKey(spaceId),
      this.nodeId,
      this.ttlMs,
    )) as string;
  }

  /** Gives up this node's placement of a space (its meeting ended). */
  private release(spaceId: string): void {
    this.placed.delete(spaceId);
    this.releaseFor(spaceId, this.nodeId).catch((err: unknown) =>
      this.log.warn({ err }, 'releasing a placement failed'),
    );
  }

  private async releaseFor(spaceId: string, owner: string): Promise<void> {
    await this.pub.eval(RELEASE, 1, this.placementKey(spaceId), owner);
  }

  /**
   * Every heartbeat: this node is alive; its placements last another ttl (and those without a
   * meeting any more are released; a placement another node took meanwhile, after Redis lost
   * sight of this one, ends the meeting here with 1001 so its people rejoin there); sockets relayed to a node that stopped beating are closed
   * with 1001, and participants hosted here whose node stopped beating start their grace period.
   */
  private async beat(): Promise<void> {
    if (this.closed || this.beating) return;
    this.beating = true;
    try {
      await this.beatOnce();
    } finally {
      this.beating = false;
    }
  }

  private async beatOnce(): Promise<void> {
    await this.pub.set(this.aliveKey(this.nodeId), '1', 'PX', this.ttlMs);
    await this.inTurn(async () => {
      for (const spaceId of [...this.placed]) {
        if (this.local.statusNow(spaceId) === undefined) {
          this.release(spaceId);
          continue;
        }
        const key = this.placementKey(spaceId);
        if ((await this.pub.eval(REFRESH, 1, key, this.nodeId, this.ttlMs)) === 1) continue;
        if ((await this.claim(spaceId)) === this.nodeId) continue;
        this.log.warn({ spaceId }, 'another node holds this meeting now; sending its people there');
        this.placed.delete(spaceId);
        this.local.end(spaceId, 'shutdown');
      }
    });
    const others = new Set([
      ...[...this.relays.values()].map((r) => r.host),
      ...[...this.hosted.values()].map((h) => h.edge),
    ]);
    for (const node of others) {
      if ((await this.pub.exists(this.aliveKey(node))) === 1 || this.closed) continue;
      this.log.warn({ node }, 'a node stopped beating; dropping what was relayed with it');
      for (const [relay, r] of [...this.relays]) {
        if (r.host !== node) continue;
        this.relays.delete(relay);
        r.link.close(CloseCodes.goingAway, 'server stopping');
      }
      await this.inTurn(() => {
        for (const [relay, h] of [...this.hosted]) {
          if (h.edge !== node) continue;
          this.hosted.delete(relay);
          h.signal.disconnected();
        }
        return Promise.resolve();
      });
    }
  }

  private channelOf(node: string): string {
    return `${this.p}router:${node}`;
  }
  private placementKey(spaceId: string): string {
    return `${this.p}meeting:${spaceId}`;
  }
  private aliveKey(node: string): string {
    return `${this.p}node:${node}`;
  }
  private resumeKey(token: string): string {
    return `${this.p}resume:${token}`;
  }
}
