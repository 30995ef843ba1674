import { Redis } from 'ioredis';
import { Subscribers, type DomainEvent, type EventBus, type EventHandler } from './bus';

export interface RedisBusOptions {
  /** redis://… or rediss://… */
  url: string;
  /** Prefixes the channel, so several halls (or test runs) can share one Redis. */
  prefix?: string;
  /** Handler errors, undecodable messages and connection errors; never thrown to the publisher. */
  onError?: (err: unknown, event: DomainEvent | undefined) => void;
}

/** Opens a connection and fails fast (no endless retry) when Redis cannot be reached at start. */
export async function connectRedis(url: string, name: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectionName: name });
  // Until the caller listens, a refused connection is this function's error, not an unhandled one.
  const early = () => {};
  redis.on('error', early);
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis at REDIS_URL could not be reached: ${String(err)}`, { cause: err });
  } finally {
    redis.off('error', early);
  }
  return redis;
}

/**
 * The event bus across nodes: `publish` goes to one Redis pub/sub channel and every node's bus
 * (this one included) receives it once from there and hands it to its own subscribers, by type
 * or '*', as LocalBus does. `publish` resolves once Redis has taken the event; handlers run
 * afterwards, on each node. Create with `RedisBus.connect` (resolves once subscribed).
 */
export class RedisBus implements EventBus {
  private readonly subscribers = new Subscribers();
  private closed = false;
  /** Deliveries run one after another, in the order Redis sent them. */
  private delivering: Promise<void> = Promise.resolve();

  private constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    private readonly channel: string,
    private readonly onError: (err: unknown, event: DomainEvent | undefined) => void,
  ) {
    const report = (err: unknown) => this.onError(err, undefined);
    pub.on('error', report);
    sub.on('error', report);
    sub.on('messageBuffer', (ch: Buffer, data: Buffer) => {
      if (ch.toString() !== this.channel) return;
      this.delivering = this.delivering.then(() => this.deliver(data));
    });
  }

  /** Connects (a publishing and a subscribed connection) and subscribes before resolving. */
  static async connect(options: RedisBusOptions): Promise<RedisBus> {
    const pub = await connectRedis(options.url, 'commonhall-bus-pub');
    let sub: Redis;
    try {
      sub = await connectRedis(options.url, 'commonhall-bus-sub');
    } catch (err) {
      pub.disconnect();
      throw err;
    }
    const channel = `${options.prefix ?? 'commonhall:'}bus`;
    const bus = new RedisBus(pub, sub, channel, options.onError ?? (() => {}));
    await sub.subscribe(channel);
    return bus;
  }

  async publish(event: DomainEvent): Promise<void> {
    if (this.closed) throw new Error('the bus is closed');
    await this.pub.publish(this.channel, JSON.stringify(event));
  }

  subscribe(type: string, handler: EventHandler): () => void {
    return this.subscribers.add(type, handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscribers.clear();
    await Promise.all([quit(this.sub), quit(this.pub)]);
  }

  private async deliver(data: Buffer): Promise<void> {
    let event: DomainEvent;
    try {
      event = decode(data.toString('utf8'));
    } catch (err) {
      this.onError(err, undefined);
      return;
    }
    await this.subscribers.deliver(event, this.onError);
  }
}

function decode(text: string): DomainEvent {
  const v = JSON.parse(text) as unknown;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof (v as { type?: unknown }).type !== 'string' ||
    typeof (v as { at?: unknown }).at !== 'string'
  ) {
    throw new Error('not a domain event');
  }
  return v as DomainEvent;
}

/** Closes politely, and at once when the connection is already broken. */
export async function quit(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
