import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_REDIS_URL, uniqueRedisPrefix } from '@server/test/redis';
import type { DomainEvent } from './bus';
import { RedisBus } from './redis-bus';

const opened: RedisBus[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});

async function node(prefix: string, onError?: (err: unknown, e?: DomainEvent) => void) {
  const bus = await RedisBus.connect({
    url: TEST_REDIS_URL,
    prefix,
    ...(onError !== undefined ? { onError } : {}),
  });
  opened.push(bus);
  return bus;
}

const event = (type: string, payload: unknown = {}): DomainEvent => ({
  type,
  payload,
  at: new Date().toISOString(),
});

/** Resolves once `handler` has seen an event of `type` (waits up to 5 s). */
function seen(bus: RedisBus, type: string): Promise<DomainEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type}`)), 5000);
    const off = bus.subscribe(type, (e) => {
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

describe('RedisBus (two nodes on the real Redis)', () => {
  it('delivers an event published on one node to subscribers on every node, once each', async () => {
    const prefix = uniqueRedisPrefix();
    const a = await node(prefix);
    const b = await node(prefix);
    const onA: DomainEvent[] = [];
    const onB: DomainEvent[] = [];
    const allB: string[] = [];
    a.subscribe('member.admitted', (e) => void onA.push(e));
    b.subscribe('member.admitted', (e) => void onB.push(e));
    b.subscribe('*', (e) => void allB.push(e.type));
    b.subscribe('vote.cast', () => {
      throw new Error('not this type');
    });
    const doneA = seen(a, 'test.done');
    const doneB = seen(b, 'test.done');
    await a.publish(event('member.admitted', { memberId: 'm1' }));
    await a.publish(event('test.done'));
    await Promise.all([doneA, doneB]);
    expect(onA.map((e) => e.payload)).toEqual([{ memberId: 'm1' }]);
    expect(onB.map((e) => e.payload)).toEqual([{ memberId: 'm1' }]);
    expect(allB).toEqual(['member.admitted', 'test.done']);
  });

  it('keeps the order of events and runs handlers one after another', async () => {
    const prefix = uniqueRedisPrefix();
    const a = await node(prefix);
    const b = await node(prefix);
    const order: number[] = [];
    b.subscribe('n.counted', async (e) => {
      const n = (e.payload as { n: number }).n;
      // A slow handler for the first event must not let the second overtake it.
      if (n === 0) await new Promise((r) => setTimeout(r, 50));
      order.push(n);
    });
    const done = seen(b, 'test.done');
    for (let n = 0; n < 20; n++) await a.publish(event('n.counted', { n }));
    await a.publish(event('test.done'));
    await done;
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('reports handler errors to onError; other handlers and the publisher carry on', async () => {
    const prefix = uniqueRedisPrefix();
    const errors: { message: string; type: string | undefined }[] = [];
    const a = await node(prefix);
    const b = await node(prefix, (err, e) =>
      errors.push({ message: (err as Error).message, type: e?.type }),
    );
    const got: string[] = [];
    b.subscribe('space.deleted', () => {
      throw new Error('boom');
    });
    b.subscribe('space.deleted', () => void got.push('second'));
    const done = seen(b, 'test.done');
    await expect(a.publish(event('space.deleted'))).resolves.toBeUndefined();
    await a.publish(event('test.done'));
    await done;
    expect(got).toEqual(['second']);
    expect(errors).toEqual([{ message: 'boom', type: 'space.deleted' }]);
  });

  it('ignores what is not an event on its channel, and another prefix never meets it', async () => {
    const prefix = uniqueRedisPrefix();
    const errors: unknown[] = [];
    const a = await node(prefix, (err) => errors.push(err));
    const other = await node(uniqueRedisPrefix());
    const strays: string[] = [];
    other.subscribe('*', (e) => void strays.push(e.type));
    const raw = new Redis(TEST_REDIS_URL);
    try {
      await raw.publish(`${prefix}bus`, 'not json');
      await raw.publish(`${prefix}bus`, JSON.stringify({ type: 1 }));
    } finally {
      raw.disconnect();
    }
    const done = seen(a, 'test.done');
    await a.publish(event('test.done'));
    await done;
    expect(errors).toHaveLength(2);
    expect(strays).toEqual([]);
  });

  it('releases its connections on close', async () => {
    const prefix = uniqueRedisPrefix();
    const a = await node(prefix);
    const b = await node(prefix);
    const raw = new Redis(TEST_REDIS_URL);
    try {
      const subscribers = async () =>
        ((await raw.pubsub('NUMSUB', `${prefix}bus`)) as [string, number])[1];
      expect(await subscribers()).toBe(2);
      await b.close();
      expect(await subscribers()).toBe(1);
      await expect(b.publish(event('x.happened'))).rejects.toThrow('closed');
      await b.close();
    } finally {
      raw.disconnect();
    }
    const done = seen(a, 'test.done');
    await a.publish(event('test.done'));
    await done;
  });

  it('fails fast when Redis cannot be reached', async () => {
    await expect(RedisBus.connect({ url: 'redis://127.0.0.1:1' })).rejects.toThrow(
      'could not be reached',
    );
  });
});
