import { afterEach, describe, expect, it } from 'vitest';
import { openTestDb, testDialect } from '@server/test/test-app';
import { DiagramStore } from './handbook.diagram-store';

describe(`DiagramStore on ${testDialect()}`, () => {
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await drop?.();
  });

  it('keeps renders by key, replaces one of the same key, and drops the oldest past its maximum', async () => {
    const db = await openTestDb();
    drop = db.drop;
    const store = DiagramStore.from(db.handle, 2);
    const render = (svg: string | null, problem: 'too_complex' | null = null) => ({
      svg,
      error: svg === null ? 'This diagram is too complex to draw.' : null,
      problem,
      timeLimitMs: 5000,
    });
    await store.save('a', render('<svg>a</svg>'));
    await store.save('a', render(null, 'too_complex'));
    expect(await store.find('a')).toEqual(render(null, 'too_complex'));
    expect(await store.find('nothing')).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.save('b', render('<svg>b</svg>'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.save('c', render('<svg>c</svg>'));
    expect(await store.count()).toBe(2);
    expect(await store.find('a')).toBeUndefined();
    expect((await store.find('c'))?.svg).toBe('<svg>c</svg>');
  });
});
