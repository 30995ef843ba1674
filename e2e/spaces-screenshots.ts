/**
 * Screenshots of every spaces page (lists, create, edit, defaults, pre-join, lobby, meeting with
 * chat and participants, ended; the pre-join page of a locked meeting as a new visitor sees it) at 1280×800 and 390×844, light and dark, into
 * .tmp/screenshots/spaces/. The REST API and the signalling socket are answered from fixtures so
 * every state can be shown. Run: `npx vite build && npx tsx e2e/spaces-screenshots.ts`.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Page, type Route } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startHall } from './harness';
import { MEDIA_ARGS } from './meeting-helpers';
import { LOOKS, lookContext } from './screenshot-harness';
import { installDefaults, type SpaceDefaultsDto } from '@common/api/spaces';

const OUT = '.tmp/screenshots/spaces';
const ada = {
  id: 'a1',
  email: 'ada@example.coop',
  name: 'Ada Lovelace',
  role: 'steward',
  status: 'active',
  locale: 'en',
  createdAt: '2026-01-12T10:00:00.000Z',
};
const settings = {
  viewerAccessCode: 'tea-and-cake',
  moderatorAccessCode: null,
  lobby: 'guests',
  signInRequired: false,
  anyoneCanStart: true,
  everyoneJoinsAsModerator: false,
  muteOnJoin: true,
  maxParticipants: 40,
  lockCamera: false,
  lockMicrophone: false,
  lockChat: false,
  lockScreenShare: true,
  keepChat: false,
};
const summary = (
  slug: string,
  name: string,
  description: string,
  live: number | null,
  role = 'owner',
) => ({
  id: `s-${slug}`,
  slug,
  name,
  description,
  url: `https://hall.example.coop/s/${slug}`,
  owner:
    role === 'owner' ? { id: 'a1', name: 'Ada Lovelace' } : { id: 'c3', name: 'Elinor Ostrom' },
  myRole: role,
  live: live === null ? null : { participants: live },
  createdAt: '2026-10-01T10:00:00.000Z',
});
const lists = {
  mine: [
    summary('weekly-circle', 'Weekly circle', 'Tech circle check-in, every Tuesday at 10:00.', 4),
    summary(
      'onboarding',
      'Onboarding new members',
      'Welcome sessions for people joining the co-op.',
      null,
    ),
    summary('assembly-2026', 'General assembly 2026', '', null),
  ],
  sharedWithMe: [
    summary(
      'commons-reading-group',
      'Commons reading group',
      'We read Ostrom, Bollier and Helfrich together.',
      null,
      'co_moderator',
    ),
  ],
};
const space = {
  ...summary('weekly-circle', 'Weekly circle', 'Tech circle check-in, every Tuesday at 10:00.', 4),
  coModerators: [
    { id: 'b2', name: 'Grace Hopper' },
    { id: 'f6', name: 'Joan Miró i Ferrà' },
  ],
  settings,
  lockedSettings: ['keepChat'],
  live: { participants: 4, locked: false },
  updatedAt: '2026-11-20T10:00:00.000Z',
};
// A new install's defaults, with keep-chat turned off by the stewards (shows the "off" state).
const defaults: SpaceDefaultsDto = {
  ...installDefaults,
  keepChat: { value: false, policy: 'off' },
};
const publicInfo = {
  id: 's-weekly-circle',
  slug: 'weekly-circle',
  name: 'Weekly circle',
  description: 'Tech circle check-in, every Tuesday at 10:00.',
  accessCodeRequired: true,
  moderatorCodeEnabled: false,
  signInRequired: false,
  lobby: 'guests',
  maxParticipants: 40,
  live: { participants: 4, locked: false },
  viewerIsModerator: false,
};

function person(id: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name,
    role: 'viewer',
    signedIn: true,
    microphone: true,
    camera: false,
    screen: false,
    handRaisedAt: null,
    connection: 'connected',
    joinedAt: `2026-11-26T10:0${id.length}:00.000Z`,
    ...extra,
  };
}

/** `locked`: a new visitor (not signed in) at a meeting a moderator locked. */
type Scene = 'meeting' | 'lobby' | 'moderator' | 'locked';

async function mock(page: Page, scene: Scene): Promise<void> {
  await page.route('**/api/v1/**', async (route: Route) => {
    const url = new URL(route.request().url());
    const path = url.pathname.replace('/api/v1', '');
    const json = (body: unknown, status = 200) =>
      route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    if (path === '/session') {
      return json({
        account: scene === 'locked' ? null : ada,
        csrfToken: 'csrf',
        setupRequired: false,
        registrationMode: 'open',
      });
    }
    if (path === '/spaces') return json(lists);
    if (path === '/spaces/slug-suggestion') return json({ slug: 'my-new-space' });
    if (path === '/spaces/weekly-circle') return json(space);
    if (path === '/spaces/weekly-circle/public') {
      if (scene !== 'locked') return json(publicInfo);
      return json({ ...publicInfo, live: { participants: 4, locked: true } });
    }
    if (path === '/spaces/weekly-circle/join') {
      return json({
        token: 't',
        expiresAt: '2030-01-01T00:00:00.000Z',
        wsPath: '/ws',
        iceServers: [],
        role: 'moderator',
        spaceId: 's-weekly-circle',
      });
    }
    if (path === '/admin/space-defaults') return json(defaults);
    return json({ error: { code: 'route_not_found', message: 'No route' } }, 404);
  });
  await page.routeWebSocket('**/ws', (ws) => {
    ws.onMessage((raw) => {
      const m = JSON.parse(String(raw)) as { type: string };
      if (m.type !== 'join') return;
      const moderator = scene === 'moderator';
      const self = person('me', 'Ada Lovelace', {
        role: moderator ? 'moderator' : 'viewer',
        camera: true,
      });
      ws.send(
        JSON.stringify({
          type: 'joined',
          self,
          resumeToken: 'r',
          phase: scene === 'lobby' ? 'lobby' : 'meeting',
          space: { id: 's-weekly-circle', slug: 'weekly-circle', name: 'Weekly circle' },
          rules: {
            muteOnJoin: false,
            lockCamera: false,
            lockMicrophone: false,
            lockChat: false,
            lockScreenShare: false,
          },
        }),
      );
      if (scene === 'lobby') return;
      const others = [
        person('p2', 'Grace Hopper', { handRaisedAt: '2026-11-26T10:05:00.000Z' }),
        person('p33', 'Elinor Ostrom', { microphone: false, role: 'moderator' }),
        person('p444', 'Joan Miró i Ferrà', { handRaisedAt: '2026-11-26T10:06:00.000Z' }),
        person('p5555', 'Wangari Maathai', { microphone: false }),
      ];
      ws.send(
        JSON.stringify({
          type: 'roster',
          participants: [self, ...others],
          hands: ['p2', 'p444'],
          locked: false,
          lobby: moderator
            ? [{ id: 'w1', name: 'Kofi Annan', signedIn: false, since: '2026-11-26T10:07:00.000Z' }]
            : [],
          chat: [
            {
              id: 'c1',
              from: 'p2',
              name: 'Grace Hopper',
              text: 'Morning all! Agenda is in the handbook.',
              at: '2026-11-26T10:01:00.000Z',
            },
            {
              id: 'c2',
              from: 'me',
              name: 'Ada Lovelace',
              text: 'Thanks — I added the budget item at the end.',
              at: '2026-11-26T10:02:30.000Z',
            },
            {
              id: 'c3',
              from: 'p33',
              name: 'Elinor Ostrom',
              text: 'Can we keep the check-in short today?',
              at: '2026-11-26T10:04:10.000Z',
            },
          ],
          activeSpeakers: ['p2'],
        }),
      );
    });
  });
}

/** `SHOTS=edit,list` takes only those. */
const only = process.env.SHOTS;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const hall = await startHall();
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, ...MEDIA_ARGS],
  });
  try {
    for (const look of LOOKS) {
      const shot = async (
        name: string,
        path: string,
        scene: Scene,
        act?: (p: Page) => Promise<void>,
      ) => {
        if (only !== undefined && !only.split(',').includes(name)) return;
        const context = await lookContext(browser, hall.baseUrl, look);
        const page = await context.newPage();
        page.on('pageerror', (e) => process.stderr.write(`${name}: ${e.message}\n`));
        await mock(page, scene);
        await page.goto(path);
        await page.waitForLoadState('networkidle');
        if (act !== undefined) await act(page);
        await page.waitForTimeout(600);
        await page.screenshot({ path: `${OUT}/${name}-${look.size}-${look.scheme}.png` });
        await context.close();
      };
      const join = async (p: Page) => {
        await p.getByLabel('Access code').fill('tea-and-cake');
        await p.getByRole('button', { name: 'Join', exact: true }).click();
        await p.waitForTimeout(800);
      };
      await shot('list', '/spaces', 'meeting');
      await shot('create', '/spaces/new', 'meeting', async (p) => {
        await p.getByLabel('Name').fill('My new space');
        await p.waitForTimeout(500);
      });
      await shot('edit', '/spaces/weekly-circle/edit', 'meeting');
      await shot('delete', '/spaces/weekly-circle/edit', 'meeting', async (p) => {
        await p.getByRole('button', { name: 'Delete space' }).click();
      });
      await shot('defaults', '/spaces/defaults', 'meeting');
      await shot('prejoin', '/s/weekly-circle', 'meeting', async (p) => {
        await p.waitForSelector('video');
      });
      await shot('prejoin-locked', '/s/weekly-circle', 'locked', async (p) => {
        await p.waitForSelector('video');
      });
      await shot('lobby', '/s/weekly-circle', 'lobby', join);
      await shot('meeting', '/s/weekly-circle', 'meeting', join);
      await shot('meeting-chat', '/s/weekly-circle', 'meeting', async (p) => {
        await join(p);
        await p.getByRole('button', { name: 'Chat' }).click();
      });
      await shot('meeting-people', '/s/weekly-circle', 'moderator', async (p) => {
        await join(p);
        await p.getByRole('button', { name: 'Participants' }).click();
      });
      await shot('meeting-moderation', '/s/weekly-circle', 'moderator', async (p) => {
        await join(p);
        await p.getByRole('button', { name: 'Moderation' }).click();
      });
      await shot('ended', '/s/weekly-circle', 'meeting', async (p) => {
        await join(p);
        await p.getByRole('button', { name: 'Leave meeting' }).click();
      });
    }
  } finally {
    await browser.close();
    await hall.close();
  }
}

await main();
