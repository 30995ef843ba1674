import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HANDBOOK_IMAGE_MAX_BYTES,
  HANDBOOK_PAGE_MAX_BYTES,
  isDotSegment,
  type Item,
  type JournalAction,
  type PageView,
} from '@common/api/handbook';
import { rawRequest } from '@server/test/raw-request';
import { testDialect } from '@server/test/test-app';
import { HandbookImages } from './handbook.images';
import { HandbookRepo } from './handbook.repo';
import { indexesOf } from './handbook.service';
import {
  buildHandbookTestApp,
  createPage,
  member,
  steward,
  type HandbookTestApp,
} from './handbook.test-helpers';

let t: HandbookTestApp;
beforeEach(async () => {
  t = await buildHandbookTestApp();
});
afterEach(async () => {
  await t.close();
});

const api = '/api/v1/handbook';

const create = (title: string, story: unknown[] = [], headers: Record<string, string> = steward) =>
  createPage(t, title, story, headers);

async function read(slug: string, headers: Record<string, string> = {}) {
  const res = await t.app.inject({
    method: 'GET',
    url: `${api}/pages/${encodeURIComponent(slug)}`,
    headers,
  });
  return {
    status: res.statusCode,
    page: res.json<{ page: PageView }>().page,
    body: res.json<{ error?: { code: string; details?: unknown } }>(),
  };
}

const p = (id: string, text: string) => ({ id, type: 'paragraph', text });

describe(`handbook pages on ${testDialect()}`, () => {
  it('creates pages with distinct readable Unicode slugs and refuses a taken slug with its link', async () => {
    const titles = [
      'Política econòmica',
      'Αρχές και πρωτόκολλα',
      'المبادئ الأساسية',
      '行为准则',
      'Mission & Vision',
    ];
    const slugs = [];
    for (const title of titles) slugs.push((await create(title)).slug);
    expect(slugs).toEqual([
      'política-econòmica',
      'αρχές-και-πρωτόκολλα',
      'المبادئ-الأساسية',
      '行为准则',
      'mission-vision',
    ]);
    for (const [i, slug] of slugs.entries()) expect((await read(slug)).page.title).toBe(titles[i]);

    const dup = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: steward,
      payload: { title: 'mission  & VISION' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({
      error: {
        code: 'page_exists',
        details: {
          slug: 'mission-vision',
          title: 'Mission & Vision',
          link: '/handbook/mission-vision',
        },
      },
    });
  });

  it('renders links to existing and missing pages differently, and lists backlinks', async () => {
    await create('Commoning', [p('a1', 'What we share.')]);
    await create('Home', [
      p('h1', 'Read [[Commoning]] and [[Not Yet]]; see [https://meet.coop meet.coop].'),
    ]);
    const home = (await read('home')).page;
    expect(home.links).toEqual([
      { title: 'Commoning', slug: 'commoning', exists: true },
      { title: 'Not Yet', slug: 'not-yet', exists: false },
    ]);
    const html = home.rendered[0]?.html ?? '';
    expect(html).toContain('<a class="internal" href="/handbook/commoning"');
    expect(html).toContain('class="internal missing"');
    expect(html).toContain('<a class="external" href="https://meet.coop"');
    expect((await read('commoning')).page.backlinks).toEqual([{ slug: 'home', title: 'Home' }]);
  });

  it('adds, edits, moves and removes items, journaling each with date and author', async () => {
    const page = await create('Protocols', [p('a', 'first')], member('Bea'));
    const add = await t.app.inject({
      method: 'POST',
      url: `${api}/pages/protocols/items`,
      headers: member('Bea'),
      payload: { item: p('b', 'second'), after: 'a' },
    });
    expect(add.statusCode, add.body).toBe(200);
    t.clock.advance(1000);
    const edit = await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/protocols/items/a`,
      headers: member('Cai'),
      payload: { item: p('a', 'first, edited'), baseVersion: page.version },
    });
    expect(edit.statusCode, edit.body).toBe(200);
    const move = await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/protocols/order`,
      headers: member('Bea'),
      payload: { order: ['b', 'a'] },
    });
    expect(move.statusCode).toBe(200);
    const rm = await t.app.inject({
      method: 'DELETE',
      url: `${api}/pages/protocols/items/b`,
      headers: member('Bea'),
    });
    expect(rm.statusCode).toBe(200);
    const final = (await read('protocols')).page;
    expect(final.story).toEqual([p('a', 'first, edited')]);
    expect(final.journal.map((a) => a.type)).toEqual(['create', 'add', 'edit', 'move', 'remove']);
    expect(final.journal.map((a) => a.author)).toEqual(['Bea', 'Bea', 'Cai', 'Bea', 'Bea']);
    expect(final.journal[2]?.date).toBe(Date.parse('2026-11-26T12:00:01Z'));

    const history = await t.app.inject({ method: 'GET', url: `${api}/pages/protocols/history` });
    expect(history.json<{ history: unknown[] }>().history).toHaveLength(5);
    const v1 = await t.app.inject({ method: 'GET', url: `${api}/pages/protocols/versions/1` });
    expect(v1.json()).toEqual({ title: 'Protocols', story: [p('a', 'first'), p('b', 'second')] });
    const restore = await t.app.inject({
      method: 'POST',
      url: `${api}/pages/protocols/restore`,
      headers: member('Bea'),
      payload: { journalIndex: 1 },
    });
    expect(restore.statusCode).toBe(200);
    const restored = restore.json<{ page: PageView }>().page;
    expect(restored.story).toEqual([p('a', 'first'), p('b', 'second')]);
    expect(restored.journal).toHaveLength(6);
    expect(restored.journal[5]).toMatchObject({ type: 'create', restoredFrom: 1 });
    const bad = await t.app.inject({ method: 'GET', url: `${api}/pages/protocols/versions/99` });
    expect(bad.json()).toMatchObject({ error: { code: 'journal_index_invalid' } });
  });

  it('refuses a stale item save with both versions, and accepts edits to other items', async () => {
    const page = await create('Code of practice', [p('a', 'base'), p('b', 'other')]);
    const first = await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/code-of-practice/items/a`,
      headers: member('Bea'),
      payload: { item: p('a', 'Bea wrote'), baseVersion: page.version },
    });
    expect(first.statusCode).toBe(200);
    const second = await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/code-of-practice/items/a`,
      headers: member('Cai'),
      payload: { item: p('a', 'Cai wrote'), baseVersion: page.version },
    });
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({
      error: {
        code: 'edit_conflict',
        details: { yours: { text: 'Cai wrote' }, theirs: { text: 'Bea wrote' }, version: 2 },
      },
    });
    // Another item, same stale base: no conflict.
    const other = await t.app.inject({
      method: 'PUT',
      url: `${api}/pages/code-of-practice/items/b`,
      headers: member('Cai'),
      payload: { item: p('b', 'Cai edits b'), baseVersion: page.version },
    });
    expect(other.statusCode).toBe(200);
    expect((await read('code-of-practice')).page.story.map((i) => i.text)).toEqual([
      'Bea wrote',
      'Cai edits b',
    ]);
  });

  it('renames a page, redirects its old slug and rewrites links on request', async () => {
    await create('Old Name', [p('a', 'x')]);
    await create('Linker', [p('l', 'See [[Old Name]] and [[old name]].')]);
    const r = await t.app.inject({
      method: 'POST',
      url: `${api}/pages/old-name/rename`,
      headers: steward,
      payload: { title: 'Nou Nom' },
    });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toMatchObject({
      page: { slug: 'nou-nom', title: 'Nou Nom' },
      oldSlug: 'old-name',
      linkingPages: [{ slug: 'linker' }],
    });
    const viaOld = await read('old-name');
    expect(viaOld.page).toMatchObject({ slug: 'nou-nom', redirectedFrom: 'old-name' });
    expect(viaOld.page.backlinks).toEqual([{ slug: 'linker', title: 'Linker' }]);
    const up = await t.app.inject({
      method: 'POST',
      url: `${api}/pages/nou-nom/update-links`,
      headers: steward,
      payload: { from: 'Old Name' },
    });
    expect(up.json()).toEqual({ updated: ['linker'] });
    const linker = (await read('linker')).page;
    expect(linker.story[0]?.text).toBe('See [[Nou Nom]] and [[Nou Nom]].');
    expect(linker.journal.at(-1)).toMatchObject({ type: 'edit', id: 'l' });
    // The old slug is taken by the redirect: creating it anew is a conflict.
    const again = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: steward,
      payload: { title: 'Old Name' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('sanitises html and markdown, keeps unknown item types', async () => {
    const page = await create('Unsafe', [
      {
        id: 'h',
        type: 'html',
        text: '<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(2)">me</a></p>',
      },
      {
        id: 'm',
        type: 'markdown',
        text: '# Title\n<script>alert(3)</script>\n[x](javascript:alert(4))',
      },
      { id: 'u', type: 'calendar', text: '2026 meeting', extra: { keep: true } },
    ]);
    expect(page.story[0]?.text).toBe('<p>Hi <a>me</a></p>');
    expect(page.story[2]).toEqual({
      id: 'u',
      type: 'calendar',
      text: '2026 meeting',
      extra: { keep: true },
    });
    const all = page.rendered.map((r) => r.html).join('\n');
    expect(all).not.toMatch(/<script|onclick|href="javascript:/i);
    expect(page.rendered[2]).toMatchObject({ supported: false });
    // Shown by its text; the app names the type above it (in the reader's language).
    expect(page.rendered[2]?.html).toContain('2026 meeting');
    expect(page.rendered[2]?.html).not.toContain('Unsupported');
  });

  it('refuses oversized pages with the limit in the message', async () => {
    const big = 'x'.repeat(90_000);
    const story = [0, 1, 2, 3, 4, 5].map((i) => p(`i${i}`, big));
    const res = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: steward,
      payload: { title: 'Big', story },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      error: { code: 'page_too_large', details: { limitBytes: HANDBOOK_PAGE_MAX_BYTES } },
    });
    expect(res.json<{ error: { message: string } }>().error.message).toContain('512 KiB');
  });

  it('uploads images, serves them with their type, refuses big or fake ones', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(100, 1),
    ]);
    const up = await t.app.inject({
      method: 'POST',
      url: `${api}/images`,
      headers: { ...member(), 'content-type': 'image/png' },
      payload: png,
    });
    expect(up.statusCode, up.body).toBe(201);
    const { url } = up.json<{ url: string }>();
    const got = await t.app.inject({ method: 'GET', url });
    expect(got.statusCode).toBe(200);
    expect(got.headers['content-type']).toBe('image/png');
    expect(got.rawPayload.equals(png)).toBe(true);

    const fake = await t.app.inject({
      method: 'POST',
      url: `${api}/images`,
      headers: { ...member(), 'content-type': 'image/png' },
      payload: Buffer.from('<svg onload=alert(1)>'),
    });
    expect(fake.json()).toMatchObject({ error: { code: 'image_type_unsupported' } });
    const huge = await t.app.inject({
      method: 'POST',
      url: `${api}/images`,
      headers: { ...member(), 'content-type': 'image/jpeg' },
      payload: Buffer.alloc(HANDBOOK_IMAGE_MAX_BYTES + 10, 0xff),
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({
      error: { code: 'image_too_large', details: { limitBytes: HANDBOOK_IMAGE_MAX_BYTES } },
    });
    const guest = await t.app.inject({
      method: 'POST',
      url: `${api}/images`,
      headers: { 'content-type': 'image/png' },
      payload: png,
    });
    expect(guest.statusCode).toBe(401);
  });

  it('answers 503 storage_unavailable when the image folder cannot be made', async () => {
    // Where the folder should be there is a file: mkdir fails as on a broken or read-only disk.
    mkdirSync(join(t.config.dataDir, 'handbook'), { recursive: true });
    writeFileSync(join(t.config.dataDir, 'handbook', 'images'), '');
    const up = await t.app.inject({
      method: 'POST',
      url: `${api}/images`,
      headers: { ...member(), 'content-type': 'image/png' },
      payload: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]),
    });
    expect(up.statusCode).toBe(503);
    expect(up.json()).toMatchObject({ error: { code: 'storage_unavailable' } });
  });

  it('leaves no empty or cut-off file and no image row when the disk fills during a write', async () => {
    const dir = join(t.config.dataDir, 'handbook', 'images');
    // Writes a real part of the file, then fails as a full disk does (not a real full disk).
    const fillsUp = async (path: string, bytes: Buffer) => {
      await writeFile(path, bytes.subarray(0, 4));
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
      });
    };
    const images = new HandbookImages(HandbookRepo.from(t.db), t.config.dataDir, fillsUp);
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(100, 3),
    ]);
    await expect(images.store(png, null, new Date())).rejects.toMatchObject({
      statusCode: 503,
      code: 'storage_unavailable',
    });
    expect(readdirSync(dir)).toEqual([]);
    const rows = await t.db.db
      .withTables<{ handbookImages: { id: string } }>()
      .selectFrom('handbookImages')
      .select('id')
      .execute();
    expect(rows).toEqual([]);
    // The same store with a working disk keeps exactly the image, under its id.
    const ok = await new HandbookImages(HandbookRepo.from(t.db), t.config.dataDir).store(
      png,
      null,
      new Date(),
    );
    expect(readdirSync(dir)).toEqual([ok.id]);
  });

  it('lets shared caches keep the images of a public handbook only', async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(10, 2),
    ]);
    const up = await t.app.inject({
      method: 'POST',
      url: `${api}/images`,
      headers: { ...member(), 'content-type': 'image/png' },
      payload: png,
    });
    const { url } = up.json<{ url: string }>();
    const open = await t.app.inject({ method: 'GET', url });
    expect(open.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const settings = await t.app.inject({
      method: 'PUT',
      url: `${api}/settings`,
      headers: steward,
      payload: { read: 'members', edit: 'members', editCircles: [] },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(401);
    const closed = await t.app.inject({ method: 'GET', url, headers: member() });
    expect(closed.statusCode).toBe(200);
    expect(closed.headers['cache-control']).toBe('private, max-age=3600');
  });
});

describe(`handbook permissions on ${testDialect()}`, () => {
  it('applies the read setting and each edit policy', async () => {
    await create('Home', [p('a', 'hello')]);
    expect((await read('home')).status).toBe(200);
    const guestEdit = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      payload: { title: 'X' },
    });
    expect(guestEdit.statusCode).toBe(401);

    const byMember = await t.app.inject({
      method: 'PUT',
      url: `${api}/settings`,
      headers: member(),
      payload: { read: 'members', edit: 'stewards', editCircles: [] },
    });
    expect(byMember.statusCode).toBe(403);
    const set = await t.app.inject({
      method: 'PUT',
      url: `${api}/settings`,
      headers: steward,
      payload: { read: 'members', edit: 'stewards', editCircles: [] },
    });
    expect(set.statusCode).toBe(200);
    expect((await read('home')).status).toBe(401);
    expect((await read('home', member())).status).toBe(200);
    const memberEdit = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: member(),
      payload: { title: 'Y' },
    });
    expect(memberEdit.statusCode).toBe(403);
    // Members-only handbooks are not served to the federation.
    const fw = await t.app.inject({ method: 'GET', url: '/home.json' });
    expect(fw.statusCode).toBe(403);
    expect(fw.json()).toMatchObject({ error: { code: 'handbook_members_only' } });

    await t.app.inject({
      method: 'PUT',
      url: `${api}/circles/tech`,
      headers: steward,
      payload: { name: 'Tech', members: ['acc-bea'] },
    });
    await t.app.inject({
      method: 'PUT',
      url: `${api}/settings`,
      headers: steward,
      payload: { read: 'everyone', edit: 'circles', editCircles: ['tech'] },
    });
    const inCircle = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: member('Bea'),
      payload: { title: 'By Bea' },
    });
    expect(inCircle.statusCode).toBe(201);
    const outside = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: member('Cai'),
      payload: { title: 'By Cai' },
    });
    expect(outside.statusCode).toBe(403);
    const settings = await t.app.inject({
      method: 'GET',
      url: `${api}/settings`,
      headers: member('Cai'),
    });
    expect(settings.json()).toMatchObject({
      edit: 'circles',
      canEdit: false,
      canAdminister: false,
    });
  });

  it('rejects unknown body fields', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `${api}/pages`,
      headers: steward,
      payload: { title: 'Z', color: 'red' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'validation_failed' } });
  });
});

describe(`item ids a URL cannot name, on ${testDialect()}`, () => {
  const dotIds = ['.', '..', '%2e', '%2E%2E', '.%2e', '%2e.'];
  const send = async (method: 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
    const res = await t.app.inject({
      method,
      url: `${api}${url}`,
      headers: steward,
      ...(payload === undefined ? {} : { payload }),
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  };

  it('refuses "." and ".." (dots plain or as %2e) as new item ids with 400 validation_failed', async () => {
    await create('Dots', [p('a1', 'kept')]);
    for (const id of dotIds) {
      const made = await send('POST', '/pages', { title: `Dots ${id}`, story: [p(id, 'x')] });
      expect(made.status, id).toBe(400);
      expect(made.body, id).toMatchObject({
        error: { code: 'validation_failed', details: [{ path: '/story/0/id' }] },
      });
      const added = await send('POST', '/pages/dots/items', { item: p(id, 'x') });
      expect(added.status, id).toBe(400);
      expect(added.body, id).toMatchObject({
        error: { code: 'validation_failed', details: [{ path: '/item/id' }] },
      });
    }
    // Dots among other characters name an item well enough.
    for (const id of ['...', 'a..b', '.a', '%2e%2e%2e', '%2f'])
      expect((await send('POST', '/pages/dots/items', { item: p(id, id) })).status, id).toBe(200);
    expect((await read('dots')).page.story.map((i) => i.id)).toEqual([
      'a1',
      '...',
      'a..b',
      '.a',
      '%2e%2e%2e',
      '%2f',
    ]);
  });

  it('never takes an item URL whose id a URL parser resolved away for the page', async () => {
    await create('Target', [p('t1', 'stays')]);
    // app.inject resolves the dot segments as fetch does: DELETE …/items/%2e%2e arrives as
    // DELETE /pages/target/, which used to delete the page.
    for (const id of ['..', '%2e%2e', '.%2E', '%2E.']) {
      const res = await send('DELETE', `/pages/target/items/${id}`);
      expect(res.status, `${id} ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body, id).toMatchObject({ error: { code: 'validation_failed' } });
    }
    // `.` becomes …/items/, which names nothing.
    const one = await send('DELETE', '/pages/target/items/.');
    expect(one.status).toBe(404);
    // Sent over a socket as written, the server resolves nothing: there is no item "..".
    for (const id of ['..', '%2E%2E', '%2e%2e', '.%2e', '.', '%2e']) {
      const res = await rawRequest(t.app, 'DELETE', `${api}/pages/target/items/${id}`, steward);
      expect(res.status, `${id}: ${res.body}`).toBe(404);
      expect(JSON.parse(res.body), id).toMatchObject({ error: { code: 'item_not_found' } });
    }
    const page = await read('target');
    expect(page.status).toBe(200);
    expect(page.page.story.map((i) => i.id)).toEqual(['t1']);
    // The page itself is still deleted at its own URL.
    expect((await send('DELETE', '/pages/target')).status).toBe(200);
  });

  /** A page as an install saved it before dot ids were refused: written to the DB as it is. */
  const insertLegacy = async (story: Item[], journal: JournalAction[]) => {
    const now = new Date().toISOString();
    await HandbookRepo.from(t.db).insert(
      {
        id: 'legacy-page',
        slug: 'legacy',
        title: 'Legacy',
        story,
        journal,
        version: journal.length,
        origin: 'local',
        createdAt: now,
        updatedAt: now,
      },
      indexesOf('Legacy', story),
    );
  };

  it('still serves and edits a page saved with such an id before ids were checked', async () => {
    const story = [p('..', 'old dots'), p('a1', 'plain')];
    await insertLegacy(story, [{ type: 'create', item: { title: 'Legacy', story }, date: 1 }]);
    const page = await read('legacy');
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.page.story.map((i) => i.id)).toEqual(['..', 'a1']);
    const version = await t.app.inject({ url: `${api}/pages/legacy/versions/0` });
    expect(version.statusCode, version.body).toBe(200);
    expect((await t.app.inject({ url: '/legacy.json' })).statusCode).toBe(200);
    // A raw client names the item exactly: an edit, then a removal, of that item only.
    const edited = await rawRequest(t.app, 'PUT', `${api}/pages/legacy/items/..`, steward, {
      item: p('..', 'edited'),
      baseVersion: 1,
    });
    expect(edited.status, edited.body).toBe(200);
    const removed = await rawRequest(t.app, 'DELETE', `${api}/pages/legacy/items/..`, steward);
    expect(removed.status, removed.body).toBe(200);
    const after = await read('legacy');
    expect(after.page.story).toEqual([p('a1', 'plain')]);
  });

  /**
   * The page restored holds no dot id: each old dot item is back, in its place, under a fresh id
   * (16 hex digits, as import gives); the journal's last action carries that same story, and the
   * item's own URL now removes it.
   */
  const expectRenamed = async (page: PageView, old: Item[]) => {
    expect(page.story.map((i) => i.id).filter(isDotSegment)).toEqual([]);
    expect(page.story).toHaveLength(old.length);
    for (const [i, item] of old.entries()) {
      const now = page.story[i];
      if (isDotSegment(item.id)) {
        expect(now?.id).toMatch(/^[0-9a-f]{16}$/);
        expect(now).toEqual({ ...item, id: now?.id });
      } else expect(now).toEqual(item);
    }
    expect(new Set(page.story.map((i) => i.id)).size).toBe(old.length);
    const last = page.journal.at(-1);
    expect(last).toMatchObject({ type: 'create', item: { title: 'Legacy', story: page.story } });
    // Replayed, the journal gives the stored story.
    const version = await t.app.inject({
      url: `${api}/pages/legacy/versions/${page.journal.length - 1}`,
    });
    expect(version.json<{ story: Item[] }>().story).toEqual(page.story);
    const fresh = page.story[0]?.id ?? '';
    const removed = await send('DELETE', `/pages/legacy/items/${fresh}`);
    expect(removed.status, JSON.stringify(removed.body)).toBe(200);
    expect((await read('legacy')).page.story).toEqual(page.story.slice(1));
  };

  it('restores an old version holding such ids with each renamed, the journal saying the same', async () => {
    const old = [p('..', 'old dots'), p('a1', 'plain'), p('%2e%2E', 'encoded'), p('.', 'one')];
    // The dot items were removed since; the story today is clean.
    await insertLegacy(
      [p('a1', 'plain')],
      [
        { type: 'create', item: { title: 'Legacy', story: old }, date: 1 },
        { type: 'remove', id: '..', date: 2 },
        { type: 'remove', id: '%2e%2E', date: 3 },
        { type: 'remove', id: '.', date: 4 },
      ],
    );
    const res = await send('POST', '/pages/legacy/restore', { journalIndex: 0 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = (res.body as { page: PageView }).page;
    expect(page.journal.at(-1)).toMatchObject({ restoredFrom: 0 });
    await expectRenamed(page, old);
    // The old version itself still reads as it was written.
    const version = await t.app.inject({ url: `${api}/pages/legacy/versions/0` });
    expect(version.json<{ story: Item[] }>().story).toEqual(old);
  });

  it('brings back a deleted page holding such ids with each renamed', async () => {
    const old = [p('..', 'old dots'), p('a1', 'plain'), p('.%2e', 'half encoded')];
    await insertLegacy(old, [{ type: 'create', item: { title: 'Legacy', story: old }, date: 1 }]);
    expect((await send('DELETE', '/pages/legacy')).status).toBe(200);
    const list = await t.app.inject({ url: `${api}/deleted-pages`, headers: steward });
    const [gone] = list.json<{ pages: { id: string }[] }>().pages;
    const res = await send('POST', `/deleted-pages/${gone?.id}/restore`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const page = (res.body as { page: PageView }).page;
    expect(page.journal.at(-1)).toMatchObject({ restoredFrom: 'deleted' });
    await expectRenamed(page, old);
  });
});
