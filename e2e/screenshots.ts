/**
 * Screenshots of every page at desktop (1280×800) and phone (390×844) size, light and dark, into
 * .tmp/screenshots/. Run: `npx vite build && npx tsx e2e/screenshots.ts`. Uses the real server;
 * the API is answered from fixtures here so every state (steward, pending, lists) can be shown.
 */
import type { Page, Route } from 'playwright-core';
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
const people = [
  steward,
  ['b2', 'grace@example.coop', 'Grace Hopper', 'member', 'active'],
  ['c3', 'elinor.ostrom@commons.example', 'Elinor Ostrom', 'steward', 'active'],
  ['d4', 'ricardo@example.org', 'Ricardo Semler', 'member', 'pending'],
  ['e5', 'mallory@example.net', 'Mallory Spam', 'member', 'disabled'],
  ['f6', 'joan@example.cat', 'Joan Miró i Ferrà', 'member', 'active'],
].map((p) =>
  Array.isArray(p)
    ? {
        id: p[0],
        email: p[1],
        name: p[2],
        role: p[3],
        status: p[4],
        locale: null,
        createdAt: '2026-03-02T09:30:00.000Z',
      }
    : p,
);
const invitations = [
  {
    id: 'i1',
    email: 'newcomer@example.org',
    url: 'http://localhost:8080/signup?invite=Zq3x7VbT0pQ2mN8rK4sW',
    expiresAt: '2030-12-10T00:00:00.000Z',
    usedAt: null,
    createdAt: '2026-11-26T00:00:00.000Z',
  },
  {
    id: 'i2',
    email: null,
    url: 'http://localhost:8080/signup?invite=Hy6tR1eW9uI0oP3aS5dF',
    expiresAt: '2026-01-01T00:00:00.000Z',
    usedAt: '2025-12-20T00:00:00.000Z',
    createdAt: '2025-12-19T00:00:00.000Z',
  },
];

type Who = 'guest' | 'steward' | 'setup';

async function mockApi(page: Page, who: Who): Promise<void> {
  await page.route('**/api/v1/**', async (route: Route) => {
    const url = new URL(route.request().url());
    const path = url.pathname.replace('/api/v1', '');
    const json = (body: unknown, status = 200) =>
      route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (path === '/session') {
      return json({
        account: who === 'steward' ? steward : null,
        csrfToken: 'csrf',
        setupRequired: who === 'setup',
        registrationMode: 'approval',
      });
    }
    if (path === '/admin/accounts') return json({ items: people, total: people.length });
    if (path === '/admin/registration') return json({ mode: 'approval' });
    if (path === '/admin/invitations') return json({ items: invitations });
    if (path.startsWith('/invitations/')) return json({ valid: true, email: null });
    return json({ error: { code: 'route_not_found', message: 'No route' } }, 404);
  });
}

const pages: (Shot & { who: Who })[] = [
  { name: 'home-guest', path: '/', who: 'guest' },
  { name: 'home-member', path: '/', who: 'steward' },
  { name: 'setup', path: '/setup', who: 'setup' },
  { name: 'signup', path: '/signup', who: 'guest' },
  { name: 'login', path: '/login', who: 'guest' },
  {
    name: 'login-error',
    path: '/login',
    who: 'guest',
    after: async (p) => {
      await p.getByRole('button', { name: 'Log in', exact: true }).last().click();
    },
  },
  { name: 'forgot', path: '/forgot-password', who: 'guest' },
  { name: 'reset', path: '/reset-password?token=abc', who: 'guest' },
  { name: 'account', path: '/account', who: 'steward' },
  { name: 'admin-accounts', path: '/admin', who: 'steward' },
  {
    name: 'admin-registration',
    path: '/admin',
    who: 'steward',
    after: async (p) => p.getByRole('tab', { name: 'Registration' }).click(),
  },
  {
    name: 'admin-invitations',
    path: '/admin',
    who: 'steward',
    after: async (p) => p.getByRole('tab', { name: 'Invitations' }).click(),
  },
  {
    name: 'menu-open',
    path: '/',
    who: 'steward',
    after: async (p) => {
      const toggle = p.getByRole('button', { name: 'Open menu' });
      if (await toggle.isVisible()) await toggle.click();
      else await p.getByRole('button', { name: /Account menu/ }).click();
    },
  },
  { name: 'spaces', path: '/spaces', who: 'steward' },
  { name: 'not-found', path: '/nowhere', who: 'guest' },
];

await shootPages({
  out: '.tmp/screenshots',
  shots: pages,
  only: process.argv[2],
  prepare: (page, shot) => mockApi(page, shot.who),
  settleMs: 150,
});
