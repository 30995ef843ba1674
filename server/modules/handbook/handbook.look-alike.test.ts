/**
 * Look-alike page titles (hardening item 17): a word mixing scripts as spoofed names do is refused
 * on create and rename with 400 slug_mixed_script; a title in one script, or one script per word,
 * is fine; an imported page keeps the title its source gave it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialect } from '@server/test/test-app';
import { HandbookRepo } from './handbook.repo';
import {
  buildHandbookTestApp,
  createPage,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';
import { importExport } from './handbook.transfer';

describe(`look-alike handbook titles on ${testDialect()}`, () => {
  let t: HandbookTestApp;
  beforeAll(async () => {
    t = await buildHandbookTestApp();
  });
  afterAll(async () => {
    await t.close();
  });
  const post = (url: string, payload: object) =>
    t.app.inject({ method: 'POST', url, headers: steward, payload });

  it('refuses a title with a word mixing scripts (400 slug_mixed_script), on create and rename', async () => {
    const refused = await post('/api/v1/handbook/pages', { title: 'Bank lоgin' }); // Cyrillic о
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ error: { code: 'slug_mixed_script' } });
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/handbook/pages' });
    expect(list.body).not.toContain('lоgin');

    const page = await createPage(t, 'Bank login');
    const renamed = await post(`/api/v1/handbook/pages/${page.slug}/rename`, {
      title: 'Bаnk login', // Cyrillic а
    });
    expect(renamed.statusCode).toBe(400);
    expect(renamed.json()).toMatchObject({ error: { code: 'slug_mixed_script' } });
    const still = await t.app.inject({ method: 'GET', url: `/api/v1/handbook/pages/${page.slug}` });
    expect(still.json()).toMatchObject({ page: { slug: 'bank-login', title: 'Bank login' } });
  });

  it('takes titles in one script of any kind, and bilingual titles with one script per word', async () => {
    for (const title of [
      'Москва',
      'Ελληνικά',
      '会議室 A',
      '東京タワー tour',
      'Русский for beginners',
    ]) {
      const page = await createPage(t, title);
      expect(page.title).toBe(title);
    }
    const page = await createPage(t, 'Plain');
    const renamed = await post(`/api/v1/handbook/pages/${page.slug}/rename`, {
      title: 'Ordnung / Порядок',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
  });

  it('keeps an imported look-alike title as the source had it, and lets it be retitled in place', async () => {
    const report = await importExport(HandbookRepo.from(t.db), t.clock, {
      pаypal: {
        title: 'Pаypal',
        story: [{ type: 'paragraph', id: 'a', text: 'from elsewhere' }],
        journal: [],
      },
    });
    expect(report.imported).toBe(1);
    const slug = encodeURIComponent('pаypal');
    const read = await t.app.inject({ method: 'GET', url: `/api/v1/handbook/pages/${slug}` });
    expect(read.json()).toMatchObject({ page: { title: 'Pаypal' } });
    // Same address, other capitals: nothing new is handed out, so nothing is refused.
    const recased = await post(`/api/v1/handbook/pages/${slug}/rename`, { title: 'PАYPAL' });
    expect(recased.statusCode, recased.body).toBe(200);
  });
});
