/** A domain event: `type` is `entity.pastTense` (member.admitted, vote.cast). */
export interface DomainEvent<T extends string = string, P = unknown> {
  type: T;
  payload: P;
  at: string;
}

export type EventHandler = (event: DomainEvent) => void | Promise<void>;

/**
 * The event bus modules use for reverse needs (a lower module telling a higher one). LocalBus
 * delivers in-process; a RedisBus with the same interface is chosen at the composition root when
 * REDIS_URL is set.
 */
export interface EventBus {
  publish(event: DomainEvent): Promise<void>;
  /** Subscribes to one type, or '*' for all; returns the unsubscribe function. */
  subscribe(type: string, handler: EventHandler): () => void;
  close(): Promise<void>;
}

/**
 * A bus's handlers, by event type or '*'. Both buses hand an event to them the same way: the
 * type's handlers, then the '*' ones, one after another; a handler's error goes to `onError`.
 */
export class Subscribers {
  private readonly handlers = new Map<string, Set<EventHandler>>();

  add(type: string, handler: EventHandler): () => void {
    let set = this.handlers.get(type);
    if (set === undefined) {
      set = new Set();
      this.handlers.set(type, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  async deliver(event: DomainEvent, onError: (err: unknown, event: DomainEvent) => void) {
    const targets = [...(this.handlers.get(event.type) ?? []), ...(this.handlers.get('*') ?? [])];
    for (const h of targets) {
      try {
        await h(event);
      } catch (err) {
        onError(err, event);
      }
    }
  }

  clear(): void {
    this.handlers.clear();
  }
}

/** In-process bus. Handler errors are reported to onError and never reach the publisher. */
export class LocalBus implements EventBus {
  private readonly subscribers = new Subscribers();

  constructor(private readonly onError: (err: unknown, event: DomainEvent) => void = () => {}) {}

  publish(event: DomainEvent): Promise<void> {
    return this.subscribers.deliver(event, this.onError);
  }

  subscribe(type: string, handler: EventHandler): () => void {
    return this.subscribers.add(type, handler);
  }

  close(): Promise<void> {
    this.subscribers.clear();
    return Promise.resolve();
  }
}
