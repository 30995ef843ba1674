import { describe, expect, it } from 'vitest';
import type { SitemapEntry } from '@common/api/handbook';
import { buildTestApp, testDialect } from '@server/test/test-app';

describe(`handbook in the whole app on ${testDialect()}`, () => {
  it('is seeded by the app on first start unless HANDBOOK_STARTER=off, and the SPA keeps its paths', async () => {
    const on = await buildTestApp();
    try {
      const home = await on.app.inject({ method: 'GET', url: '/api/v1/handbook/pages/home' });
      expect(home.statusCode).toBe(200);
      const json = await on.app.inject({ method: 'GET', url: '/home.json' });
      expect(json.statusCode).toBe(200);
      expect(json.headers['access-control-allow-origin']).toBe('*');
      const sitemap = (await on.app.inject({ method: 'GET', url: '/system/sitemap.json' })).json<
        SitemapEntry[]
      >();
      expect(sitemap.find((e) => e.slug === 'home')).toMatchObject({
        title: 'Home',
        links: { principles: expect.any(String) as unknown },
      });
      // Paths of the app are not swallowed by /:slug.json.
      const spa = await on.app.inject({ method: 'GET', url: '/handbook/home' });
      expect(spa.json()).toMatchObject({ error: { code: 'not_found' } });
    } finally {
      await on.close();
    }
    const off = await buildTestApp({ HANDBOOK_STARTER: 'off' });
    try {
      const list = await off.app.inject({ method: 'GET', url: '/api/v1/handbook/pages' });
      expect(list.json()).toEqual({ pages: [] });
    } finally {
      await off.close();
    }
  });
});
