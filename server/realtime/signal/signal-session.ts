import {
  CloseCodes,
  SIGNAL_LIMITS,
  parseClientMessage,
  type ServerMessage,
  type SignalErrorCode,
} from '@common/protocol';
import type { ParticipantLink } from '@server/realtime/meeting/meeting';
import type { ParticipantSignal, SignalStart } from '@server/realtime/routing';
import type { Logger } from '@server/platform/log';

/** The socket as a session needs it (ws's WebSocket fits). */
export interface SocketLike {
  send(data: string): void;
  close(code: number, reason: string): void;
  readonly readyState: number;
}

/** What a session asks of the signalling service when the first message arrives. */
export interface SessionBackend {
  join(token: string, link: ParticipantLink): Promise<SignalStart>;
  resume(resumeToken: string, link: ParticipantLink): Promise<SignalStart>;
}

export interface SessionLimits {
  messagesPerSecond: number;
  maxErrors: number;
  joinTimeoutMs: number;
}

const OPEN = 1;

/**
 * One WebSocket's life: wait for `join`/`resume` (10 s), then pass every valid message to the
 * participant's meeting. Bad frames get `error {code}`; too many errors or too many messages per
 * second close the socket with a named code. Nothing here throws to the socket library.
 */
export class SignalSession {
  private phase: 'awaiting_join' | 'joining' | 'joined' | 'closed' = 'awaiting_join';
  private signal: ParticipantSignal | null = null;
  private errors = 0;
  private tokens: number;
  private lastRefill: number;
  private readonly joinTimer: NodeJS.Timeout;
  readonly link: ParticipantLink;

  constructor(
    private readonly socket: SocketLike,
    private readonly backend: SessionBackend,
    private readonly log: Logger,
    private readonly limits: SessionLimits = {
      messagesPerSecond: SIGNAL_LIMITS.messagesPerSecond,
      maxErrors: SIGNAL_LIMITS.maxErrors,
      joinTimeoutMs: SIGNAL_LIMITS.joinTimeoutMs,
    },
    private readonly now: () => number = () => performance.now(),
    /** The socket's remote address (request.ip), handed to the meeting on the link. */
    address?: string,
  ) {
    this.tokens = limits.messagesPerSecond * 2;
    this.lastRefill = this.now();
    this.link = {
      send: (m) => this.send(m),
      close: (code, reason) => this.close(code, reason),
      ...(address !== undefined ? { address } : {}),
    };
    this.joinTimer = setTimeout(() => {
      if (this.phase === 'awaiting_join' || this.phase === 'joining') {
        this.close(CloseCodes.joinTimeout, 'join timeout');
      }
    }, limits.joinTimeoutMs);
    this.joinTimer.unref();
  }

  /** A frame arrived. */
  onFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    if (this.phase === 'closed') return;
    if (!this.takeToken()) {
      this.close(CloseCodes.flood, 'too many messages');
      return;
    }
    if (isBinary) return this.fail('invalid_message', 'Messages are JSON text frames.');
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientMessage(text);
    if (!parsed.ok) return this.fail(parsed.code, parsed.message, parsed.ref);
    const m = parsed.message;
    switch (this.phase) {
      case 'awaiting_join':
        if (m.type === 'join') return this.startJoin(this.backend.join(m.token, this.link));
        if (m.type === 'resume') {
          return this.startJoin(this.backend.resume(m.resumeToken, this.link));
        }
        return this.fail('out_of_order', 'Send join (or resume) first.', m.ref);
      case 'joining':
        return this.fail('out_of_order', 'Wait for joined.', m.ref);
      case 'joined':
        if (m.type === 'join' || m.type === 'resume') {
          return this.fail('out_of_order', 'Already joined.', m.ref);
        }
        try {
          this.signal?.receive(m);
        } catch (err) {
          this.log.error({ err, type: m.type }, 'signal message failed');
          this.send({ type: 'error', code: 'internal_error', message: 'Something went wrong.' });
        }
        return;
    }
  }

  /**
   * The socket closed (by either side); `code` is the close code the browser sent (1001: its page
   * went away, see ParticipantSignal.disconnected).
   */
  onClose(code?: number): void {
    clearTimeout(this.joinTimer);
    const was = this.phase;
    this.phase = 'closed';
    if (was === 'joined') this.signal?.disconnected(code === CloseCodes.goingAway);
  }

  private startJoin(start: Promise<SignalStart>): void {
    this.phase = 'joining';
    start.then(
      (start) => this.started(start),
      (err: unknown) => {
        this.log.error({ err }, 'join failed');
        this.send({ type: 'error', code: 'internal_error', message: 'Could not join.' });
        this.close(CloseCodes.internalError, 'join failed');
      },
    );
  }

  private started(start: SignalStart): void {
    if (this.phase === 'closed') {
      // The socket went away while joining: let the meeting know at once.
      if (start.ok) start.signal.disconnected();
      return;
    }
    if (!start.ok) {
      this.send({ type: 'error', code: start.code, message: start.message });
      this.close(start.closeCode, start.code);
      return;
    }
    clearTimeout(this.joinTimer);
    this.signal = start.signal;
    this.phase = 'joined';
  }

  private takeToken(): boolean {
    const t = this.now();
    const rate = this.limits.messagesPerSecond;
    this.tokens = Math.min(rate * 2, this.tokens + ((t - this.lastRefill) / 1000) * rate);
    this.lastRefill = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private fail(code: SignalErrorCode, message: string, ref?: string): void {
    this.errors += 1;
    this.send({ type: 'error', code, message, ...(ref !== undefined ? { ref } : {}) });
    if (this.errors >= this.limits.maxErrors)
      this.close(CloseCodes.tooManyErrors, 'too many errors');
  }

  private send(message: ServerMessage): void {
    if (this.phase === 'closed' || this.socket.readyState !== OPEN) return;
    try {
      this.socket.send(JSON.stringify(message));
    } catch (err) {
      this.log.warn({ err }, 'socket send failed');
    }
  }

  private close(code: number, reason: string): void {
    if (this.phase === 'closed') return;
    const was = this.phase;
    this.phase = 'closed';
    clearTimeout(this.joinTimer);
    try {
      this.socket.close(code, reason);
    } catch (err) {
      this.log.warn({ err }, 'socket close failed');
    }
    // A server-side close is not a network drop: a joined participant it concerns was already
    // taken out by the meeting (removed, denied, ended) or is abusive; abusive ones get the
    // ordinary grace period, since they may come back politely.
    if (was === 'joined' && code !== CloseCodes.replaced) this.signal?.disconnected();
  }
}
