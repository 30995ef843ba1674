/**
 * Screenshots of every handbook page at desktop (1280×800) and phone (390×844), light and dark,
 * into .tmp/screenshots/handbook/. Run: `npx vite build && npx tsx e2e/handbook-screenshots.ts`.
 * The server is real; the handbook API is answered from fixtures here so every state can be shown.
 */
import type { Page, Route } from 'playwright-core';
import { instance } from '@viz-js/viz';
import { shootPages, type Shot } from './screenshot-harness';

const steward = {
  id: 'a1',
  email: 'ada@example.coop',
  name: 'Ada Lovelace',
  role: 'steward',
  status: 'active',
  locale: 'en',
  createdAt: '2026-01-12T10:00:00.000Z',
};

const contents = [
  { slug: 'principles', title: 'Principles', depth: 0 },
  { slug: 'mission-vision', title: 'Mission & vision', depth: 1 },
  { slug: 'spaces', title: 'Spaces', depth: 1 },
  { slug: 'commoning', title: 'Commoning', depth: 1 },
  { slug: 'principles-protocols', title: 'Principles & protocols', depth: 1 },
];
const sections = [
  { slug: 'principles', title: 'Principles', pages: contents.slice(1) },
  {
    slug: 'political-economy',
    title: 'Political economy',
    pages: [
      { slug: 'fair-wage', title: 'Fair wage', depth: 1 },
      { slug: 'contributions', title: 'Contributions', depth: 1 },
      { slug: 'budgets', title: 'Budgets', depth: 1 },
    ],
  },
  {
    slug: 'social-relations',
    title: 'Social relations',
    pages: [
      { slug: 'member-classes', title: 'Member classes', depth: 1 },
      { slug: 'circles', title: 'Circles', depth: 1 },
    ],
  },
  {
    slug: 'assemblies-deliberations',
    title: 'Assemblies & deliberations',
    pages: [
      { slug: 'consent', title: 'Deciding by consent', depth: 1 },
      { slug: 'minutes', title: 'Minutes', depth: 1 },
    ],
  },
  { slug: 'constitution', title: 'Constitution', pages: [] },
  { slug: 'code-of-practice', title: 'Code of practice', pages: [] },
];

const viz = await instance();
const svg = viz
  .renderString(
    `strict digraph { rankdir=LR; node [style=filled fillcolor=white shape=box fontname="Helvetica"]; edge [style=dotted];
  "Mission & vision" [URL="/handbook/mission-vision"]; "Spaces" [URL="/handbook/spaces" style="bold,filled" fillcolor=lightyellow];
  "Commoning" [URL="/handbook/commoning"]; "Fair wage" [URL="/handbook/fair-wage"]; "Circles" [URL="/handbook/circles"];
  "Mission & vision" -> "Spaces" -> "Commoning"; "Spaces" -> "Fair wage"; "Spaces" -> "Circles"; "Commoning" -> "Circles"; "Fair wage" -> "Budgets" }`,
    { format: 'svg' },
  )
  .replace(/^<\?xml[^>]*>\s*<!DOCTYPE[^>]*>\s*/s, '');

const story = [
  {
    id: 'p1',
    type: 'paragraph',
    text: 'Our spaces are [[Commoning]] in practice: rooms anyone in the co-op can open, that stay when the meeting ends.',
  },
  { id: 'p2', type: 'markdown', text: '## Who can open a space' },
  { id: 'p3', type: 'paragraph', text: '…' },
  { id: 'p4', type: 'code', text: 'https://hall.example.coop/s/weekly-circle' },
  { id: 'p5', type: 'pagefold', text: 'protocols' },
  {
    id: 'p6',
    type: 'reference',
    site: 'handbook.meet.coop',
    slug: 'spaces',
    title: 'Spaces',
    text: '',
  },
  { id: 'p7', type: 'graphviz', text: 'DOT FROM preview-next-diagram' },
  { id: 'p8', type: 'calendar', text: '2026 JAN 12 first assembly' },
  {
    id: 'p9',
    type: 'video',
    text: 'YOUTUBE dQw4w9WgXcQ\nThe first assembly, recorded for the [[Minutes]].',
  },
];
const rendered = [
  {
    id: 'p1',
    html: '<p>Our spaces are <a class="internal" href="/handbook/commoning" data-slug="commoning">Commoning</a> in practice: rooms anyone in the co-op can open, that stay when the meeting ends. Each space has a link, an optional access code and a <a class="internal missing" href="/handbook/lobby" data-slug="lobby">lobby</a>; see also the <a class="external" href="https://meet.coop" rel="nofollow noopener">meet.coop handbook</a>. #spaces #commons</p>',
    supported: true,
  },
  {
    id: 'p2',
    html: '<h2>Who can open a space</h2><p>Every <strong>member</strong> can open spaces up to their service level. Operational members in the Tech circle look after the servers.</p><ul><li>User members: up to three spaces.</li><li>Organisation members: as agreed in their <a class="internal" href="/handbook/fair-wage" data-slug="fair-wage">Fair wage</a> contribution.</li></ul>',
    supported: true,
  },
  {
    id: 'p3',
    html: '<p>A space belongs to the co-op, not to the person who opened it: when they leave, a <a class="internal" href="/handbook/circles" data-slug="circles">circle</a> takes it over.</p>',
    supported: true,
  },
  {
    id: 'p4',
    html: '<pre><code>https://hall.example.coop/s/weekly-circle</code></pre>',
    supported: true,
  },
  { id: 'p5', html: '<hr class="pagefold" title="protocols">', supported: true },
  {
    id: 'p6',
    html: '<div class="reference-card"><a class="external" href="http://handbook.meet.coop/spaces.html">Spaces</a> <span class="reference-site">handbook.meet.coop</span><p>How meet.coop described its rooms.</p></div>',
    supported: true,
  },
  { id: 'p7', html: `<figure class="diagram">${svg}</figure>`, supported: true },
  {
    id: 'p8',
    html: '<div class="fallback"><pre>2026 JAN 12 first assembly</pre></div>',
    supported: false,
  },
  {
    id: 'p9',
    html: '<div class="video"><p class="video-link"><a class="external" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" title="YOUTUBE dQw4w9WgXcQ">▶ youtube.com/watch?v=dQw4w9WgXcQ</a></p><p class="caption">The first assembly, recorded for the <a class="internal" href="/handbook/minutes" data-slug="minutes">Minutes</a>.</p></div>',
    supported: true,
  },
];
const journal = [
  { type: 'create', date: Date.parse('2026-11-02T10:00:00Z'), author: 'Ada Lovelace' },
  { type: 'add', date: Date.parse('2026-11-02T10:05:00Z'), author: 'Ada Lovelace', id: 'p1' },
  { type: 'add', date: Date.parse('2026-11-03T09:00:00Z'), author: 'Grace Hopper', id: 'p2' },
  { type: 'edit', date: Date.parse('2026-11-20T16:30:00Z'), author: 'Elinor Ostrom', id: 'p1' },
  { type: 'move', date: Date.parse('2026-11-25T12:00:00Z'), author: 'Ada Lovelace' },
];
const page = {
  slug: 'spaces',
  title: 'Spaces',
  version: journal.length,
  story,
  journal,
  rendered,
  links: [],
  backlinks: [
    { slug: 'mission-vision', title: 'Mission & vision' },
    { slug: 'principles', title: 'Principles' },
    { slug: 'member-classes', title: 'Member classes' },
  ],
  keywords: ['spaces', 'commons'],
  section: {
    slug: 'principles',
    title: 'Principles',
    previous: { slug: 'mission-vision', title: 'Mission & vision' },
    next: { slug: 'commoning', title: 'Commoning' },
    contents,
  },
  canEdit: true,
  updatedAt: '2026-11-25T12:00:00.000Z',
  builtIn: false,
};
const allPages = [
  ...sections.flatMap((s) => [{ slug: s.slug, title: s.title }, ...s.pages]),
  { slug: 'glossary', title: 'Glossary' },
  { slug: 'onboarding', title: 'Onboarding a new member' },
  { slug: 'preview-next-diagram', title: 'preview-next-diagram' },
].map((p) => ({ slug: p.slug, title: p.title, updatedAt: '2026-11-20T00:00:00.000Z' }));

async function mockApi(p: Page): Promise<void> {
  await p.route('**/api/v1/**', async (route: Route) => {
    const url = new URL(route.request().url());
    const path = url.pathname.replace('/api/v1', '');
    const json = (body: unknown, status = 200) =>
      route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (path === '/session') {
      return json({
        account: steward,
        csrfToken: 'csrf',
        setupRequired: false,
        registrationMode: 'approval',
      });
    }
    if (path === '/handbook/sections') return json({ sections });
    if (path === '/handbook/pages') return json({ pages: allPages });
    if (path === '/handbook/settings')
      return json({
        read: 'everyone',
        edit: 'members',
        editCircles: [],
        canEdit: true,
        canAdminister: true,
      });
    if (path === '/handbook/pages/spaces') return json({ page });
    if (path === '/handbook/pages/spaces/diagram') return json({ dot: '', svg, truncated: false });
    if (path === '/handbook/pages/spaces/history')
      return json({
        history: journal.map((j, index) => ({
          index,
          type: j.type,
          date: j.date,
          author: j.author,
          itemId: j.id ?? null,
        })),
      });
    if (path.startsWith('/handbook/pages/spaces/versions/'))
      return json({ title: 'Spaces', story: story.slice(0, 2) });
    if (path === '/handbook/search')
      return json({
        results: [
          {
            slug: 'spaces',
            title: 'Spaces',
            snippet:
              '…rooms anyone in the co-op can open, that stay when the <mark>meeting</mark> ends. Each space has a link…',
          },
          {
            slug: 'consent',
            title: 'Deciding by consent',
            snippet:
              'A <mark>meeting</mark> decides by consent when no member has a reasoned objection…',
          },
          {
            slug: 'minutes',
            title: 'Minutes',
            snippet:
              'Every assembly <mark>meeting</mark> keeps minutes, published in the handbook within a week.',
          },
        ],
      });
    if (path === '/handbook/keywords')
      return json({
        keywords: [
          {
            keyword: 'commons',
            pages: [
              { slug: 'spaces', title: 'Spaces' },
              { slug: 'commoning', title: 'Commoning' },
            ],
          },
          { keyword: 'consent', pages: [{ slug: 'consent', title: 'Deciding by consent' }] },
          {
            keyword: 'fair wage',
            pages: [
              { slug: 'fair-wage', title: 'Fair wage' },
              { slug: 'budgets', title: 'Budgets' },
            ],
          },
          { keyword: 'spaces', pages: [{ slug: 'spaces', title: 'Spaces' }] },
        ],
      });
    if (path.startsWith('/handbook/pages/'))
      return json({ error: { code: 'page_not_found', message: 'No page' } }, 404);
    return json({ error: { code: 'route_not_found', message: 'No route' } }, 404);
  });
}

const shots: Shot[] = [
  { name: 'home', path: '/handbook' },
  { name: 'page', path: '/handbook/spaces' },
  {
    name: 'page-diagram',
    path: '/handbook/spaces',
    after: async (p) => {
      await p.getByRole('button', { name: 'Diagram' }).click();
      await p.locator('.hb-diagram svg').waitFor();
    },
  },
  {
    name: 'page-edit',
    path: '/handbook/spaces',
    after: async (p) => {
      await p.getByRole('button', { name: 'Edit' }).click();
      await p.getByRole('button', { name: 'Edit item' }).first().click();
      await p.getByRole('combobox', { name: 'Text' }).press('Control+End');
      await p.getByRole('combobox', { name: 'Text' }).pressSequentially(' [[Co');
    },
  },
  {
    name: 'conflict',
    path: '/handbook/spaces',
    after: async (p) => {
      await p.route('**/api/v1/handbook/pages/spaces/items/p1', (r) =>
        r.fulfill({
          status: 409,
          contentType: 'application/json',
          body: JSON.stringify({
            error: {
              code: 'edit_conflict',
              message: 'Someone changed this item',
              details: {
                yours: {
                  id: 'p1',
                  type: 'paragraph',
                  text: 'Our spaces are rooms for commoning. (mine)',
                },
                theirs: {
                  id: 'p1',
                  type: 'paragraph',
                  text: 'Our spaces are rooms anyone may open. (theirs)',
                },
                version: 6,
              },
            },
          }),
        }),
      );
      await p.getByRole('button', { name: 'Edit' }).click();
      await p.getByRole('button', { name: 'Edit item' }).first().click();
      await p.getByRole('button', { name: 'Save' }).click();
      await p.getByRole('dialog').waitFor();
    },
  },
  {
    name: 'history',
    path: '/handbook/spaces/history',
    after: async (p) => {
      await p
        .getByRole('button', { name: /Item added/ })
        .first()
        .click();
      await p.getByRole('button', { name: 'Restore this version' }).waitFor();
    },
  },
  { name: 'search', path: '/handbook/-/search?q=meeting' },
  { name: 'keywords', path: '/handbook/-/keywords' },
  { name: 'sections', path: '/handbook/-/sections' },
  { name: 'missing', path: '/handbook/lobby' },
  {
    name: 'create',
    path: '/handbook/spaces',
    after: async (p) => {
      await p.getByRole('link', { name: 'lobby' }).click();
      await p.getByRole('dialog').waitFor();
    },
  },
];

await shootPages({
  out: '.tmp/screenshots/handbook',
  shots,
  only: process.argv[2],
  prepare: (page) => mockApi(page),
  settleMs: 200,
});
