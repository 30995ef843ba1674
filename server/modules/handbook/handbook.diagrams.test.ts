import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PageView } from '@common/api/handbook';
import { ManualClock } from '@server/platform/clock';
import { createLogger } from '@server/platform/log';
import { authHeaders, buildAuthTestApp, signUpAndLogIn } from '@server/test/accounts';
import { testDialect, type TestApp } from '@server/test/test-app';
import { TOO_COMPLEX_MESSAGE, renderPoolStats } from './diagram';
import { costlyDot } from './diagram/test-handbook';
import { DiagramStore } from './handbook.diagram-store';
import { createHandbook } from './index';

const api = '/api/v1/handbook';

describe(`diagrams in the whole app on ${testDialect()}`, () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
    expect(renderPoolStats.liveWorkers).toBe(0);
  });

  /** An app with a steward, and the request that creates page Knot (its diagram drawn). */
  async function appCreatingPage(env: Record<string, string>, text: string) {
    t = await buildAuthTestApp({ env: { HANDBOOK_STARTER: 'off', ...env } });
    const steward = await signUpAndLogIn(t.app, { steward: true });
    const creating = t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: authHeaders(steward),
      payload: { title: 'Knot', story: [{ id: 'g', type: 'graphviz', text }] },
    });
    return { ...t, creating };
  }

  it('a 20-node complete digraph with costly attributes is too complex, and kept so', async () => {
    const before = renderPoolStats.started;
    // Even clamped, its layout takes far longer than 10 ms.
    const {
      app,
      db,
      creating: reading,
    } = await appCreatingPage({ DIAGRAM_TIME_LIMIT_MS: '10' }, costlyDot(20));
    const page = (await reading).json<{ page: PageView }>().page;
    expect(page.rendered[0]).toMatchObject({ id: 'g', problem: 'too_complex' });
    expect(page.rendered[0]?.html).toContain(TOO_COMPLEX_MESSAGE);
    expect(renderPoolStats.started).toBe(before + 1);

    // Read again, and as Federated Wiki JSON: no second layout.
    const again = (await app.inject({ method: 'GET', url: `${api}/pages/knot` })).json<{
      page: PageView;
    }>().page;
    expect(again.rendered[0]?.problem).toBe('too_complex');
    expect((await app.inject({ method: 'GET', url: '/knot.json' })).statusCode).toBe(200);
    expect(renderPoolStats.started).toBe(before + 1);

    // Another process on the same database (a restart) finds it kept too.
    const fresh = createHandbook({
      config: { ...t!.config, handbookStarter: false },
      db,
      clock: new ManualClock(new Date()),
      log: createLogger('silent'),
    });
    try {
      const r = await fresh.service.resolve('knot');
      const drawn = await fresh.service.diagrams!.renderItem('knot', r!.page.story[0]!);
      expect(drawn).toMatchObject({ problem: 'too_complex', error: TOO_COMPLEX_MESSAGE });
      expect(renderPoolStats.started).toBe(before + 1);
      expect(await DiagramStore.from(db).count()).toBe(1);
    } finally {
      await fresh.close();
    }
  });

  it('a restart serves a drawn diagram from the database without laying it out', async () => {
    const { creating, db, config } = await appCreatingPage({}, 'digraph { "Mission" -> "Vision" }');
    const first = (await creating).json<{ page: PageView }>().page;
    expect(first.rendered[0]?.html).toContain('<title>Mission</title>');
    const started = renderPoolStats.started;
    const fresh = createHandbook({
      config: { ...config, handbookStarter: false },
      db,
      clock: new ManualClock(new Date()),
      log: createLogger('silent'),
    });
    try {
      const r = await fresh.service.resolve('knot');
      const drawn = await fresh.service.diagrams!.renderItem('knot', r!.page.story[0]!);
      expect(drawn.svg).toContain('<title>Mission</title>');
      expect(renderPoolStats.started).toBe(started);
    } finally {
      await fresh.close();
    }
  });

  it('the server answers during a long layout, and closing the app ends it at once', async () => {
    const before = renderPoolStats.started;
    // Minutes of work, even clamped.
    const { app, creating: reading } = await appCreatingPage(
      { DIAGRAM_TIME_LIMIT_MS: '120000' },
      costlyDot(60),
    );
    await vi.waitFor(() => expect(renderPoolStats.started).toBe(before + 1), { timeout: 20_000 });
    let read = false;
    void reading.then(() => (read = true));
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect(read).toBe(false);
    await app.close();
    expect(renderPoolStats.liveWorkers).toBe(0);
    // The request in flight is answered (the diagram not drawn, not kept) before the database goes.
    expect((await reading).statusCode).toBeLessThan(500);
  });
});
