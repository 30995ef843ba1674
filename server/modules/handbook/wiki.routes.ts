import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '@server/http/errors';
import type { WikiExport, WikiPage } from '@common/api/handbook';
import { assertPublic, federationView, wikiPage, type FederationView } from './handbook.interop';
import type { HandbookService } from './handbook.service';

const tags = ['federated-wiki'];
const PUBLIC_CHECK_MS = 1000;
/** The hall's icon (app/public/favicon.svg drawn at 32×32), what Federated Wiki shows as a flag. */
const hallIcon = readFileSync(new URL('./hall-icon.png', import.meta.url));

/**
 * Paths a Federated Wiki client or server asks a site for: never answered with the app's page
 * (the SPA fallback asks this and answers a JSON 404 instead).
 */
export function isFederationPath(path: string): boolean {
  return (
    path.endsWith('.json') ||
    path === '/favicon.png' ||
    path === '/sitemap.xml' ||
    /^\/(?:system|plugins|assets|theme|remote|proxy|recycler)(?:\/|$)/.test(path)
  );
}

/**
 * Open to every origin, read-only, never with credentials: the answers are the same for everyone
 * (no cookie is read on these routes), so a browser may share them with any page.
 */
function openCors(reply: FastifyReply): void {
  reply
    .header('access-control-allow-origin', '*')
    .header('access-control-allow-methods', 'GET, HEAD')
    .header('cross-origin-resource-policy', 'cross-origin');
}

/** Sets Last-Modified; true when the request's If-Modified-Since is not older (answer 304). */
function notModified(req: FastifyRequest, reply: FastifyReply, lastModified: number): boolean {
  reply.header('last-modified', new Date(lastModified).toUTCString());
  reply.header('cache-control', 'no-cache');
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  return !Number.isNaN(since) && Math.floor(lastModified / 1000) <= Math.floor(since / 1000);
}

const routeNotFound = (path: string) =>
  new AppError(404, 'route_not_found', `This site serves no Federated Wiki route ${path}.`);

/** `/view/a/view/b` (a Federated Wiki lineup): the rightmost page of this site, or undefined. */
function lastLocalPage(rest: string): string | undefined {
  const parts = rest.split('/').filter((s) => s !== '');
  let out: string | undefined;
  // Pairs of site and page: `view` is this site; any other site name is a remote page.
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i] === 'view') out = parts[i + 1];
  // `slug_rev3` is a page's third revision: the page itself is what the app shows.
  return out?.replace(/_rev\d+$/, '');
}

/**
 * Federated Wiki's read-only routes at the site root: `GET /<key>.json`, `/system/sitemap.json`
 * (with Last-Modified), `/system/site-index.json`, `/system/slugs.json`, `/system/export.json`,
 * `/system/plugins.json`, `/favicon.png`, all CORS-open for GET; `/<key>.html` and
 * `/view/<key>[/…]` redirect to the page in the app. Pages are named by their Federated Wiki keys
 * (see federationKeys); our own slugs, old addresses and titles still answer at `/<slug>.json`.
 */
export function federatedWikiRoutes(service: HandbookService): FastifyPluginAsync {
  // Whether the handbook is public, as last read: asked again after PUBLIC_CHECK_MS, or at once
  // when this process changed the settings (another node's change shows within that time).
  let publicCheck = { at: -Infinity, version: -1 };
  const ensurePublic = async (): Promise<void> => {
    const now = performance.now();
    if (now - publicCheck.at < PUBLIC_CHECK_MS && publicCheck.version === service.settingsVersion)
      return;
    const version = service.settingsVersion;
    await assertPublic(service);
    publicCheck = { at: now, version };
  };

  // The keys, sitemap and site index of the handbook's current generation: one primary-key read
  // per request, rebuilt from every page after any write (on any node).
  let cached: { generation: number; view: Promise<FederationView> } | undefined;
  const currentView = async (): Promise<FederationView> => {
    const generation = await service.repo.generation();
    if (cached?.generation !== generation) {
      const view = (async () => {
        const [pages, deleted, aliases] = await Promise.all([
          service.repo.listAll(),
          service.repo.deletedPages(),
          service.repo.allAliases(),
        ]);
        return federationView(
          generation,
          pages,
          deleted.map((d) => d.deletedAt),
          aliases,
        );
      })();
      const entry = { generation, view };
      cached = entry;
      view.catch(() => {
        if (cached === entry) cached = undefined;
      });
    }
    return cached.view;
  };

  /** Our slug of the page a key names (its Federated Wiki key, else our resolver's answer). */
  const slugOfKey = async (key: string): Promise<string | undefined> => {
    const view = await currentView();
    return view.slugOfKey.get(key) ?? (await service.resolve(key))?.page.slug;
  };

  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    app.get(
      '/favicon.png',
      { schema: { tags, summary: "The hall's icon, which Federated Wiki also probes a site by" } },
      async (_req, reply) => {
        openCors(reply);
        return reply
          .type('image/png')
          .header('cache-control', 'public, max-age=86400')
          .send(hallIcon);
      },
    );

    app.get(
      '/system/sitemap.json',
      { schema: { tags, summary: 'Federated Wiki sitemap: slug, title, date, synopsis, links' } },
      async (req, reply) => {
        openCors(reply);
        await ensurePublic();
        const view = await currentView();
        if (notModified(req, reply, view.lastModified)) return reply.code(304).send();
        return view.sitemap;
      },
    );

    app.get(
      '/system/site-index.json',
      {
        schema: { tags, summary: "Federated Wiki's search index (MiniSearch, title and content)" },
      },
      async (req, reply) => {
        openCors(reply);
        await ensurePublic();
        const view = await currentView();
        if (notModified(req, reply, view.lastModified)) return reply.code(304).send();
        return reply.type('application/json; charset=utf-8').send(view.siteIndex());
      },
    );

    app.get(
      '/system/slugs.json',
      { schema: { tags, summary: 'The keys of every page, as Federated Wiki lists its pages' } },
      async (_req, reply) => {
        openCors(reply);
        await ensurePublic();
        return (await currentView()).keys;
      },
    );

    app.get(
      '/system/export.json',
      { schema: { tags, summary: 'Every page as Federated Wiki JSON, keyed by its key' } },
      async (_req, reply) => {
        openCors(reply);
        await ensurePublic();
        const view = await currentView();
        const out = new Map<string, WikiPage>();
        for (const page of await service.repo.listAll())
          out.set(view.keyOfSlug.get(page.slug) ?? page.slug, await wikiPage(service, page));
        const sorted = [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        const exported: WikiExport = Object.fromEntries(sorted);
        return exported;
      },
    );

    app.get(
      '/system/plugins.json',
      {
        schema: {
          tags,
          summary: 'Federated Wiki plugins this site serves: none (its items are drawn here)',
        },
      },
      async (_req, reply) => {
        openCors(reply);
        await ensurePublic();
        return [];
      },
    );

    app.get(
      '/system/*',
      { schema: { tags, summary: 'Any other Federated Wiki system route: a JSON 404' } },
      async (req, reply) => {
        openCors(reply);
        throw routeNotFound(req.url.split('?')[0] ?? '');
      },
    );

    app.get(
      '/:slug.json',
      {
        schema: {
          tags,
          summary: 'A handbook page as Federated Wiki JSON',
          params: z.object({ slug: z.string().min(1).max(300) }),
        },
      },
      async (req, reply) => {
        openCors(reply);
        await ensurePublic();
        const key = req.params.slug;
        const view = await currentView();
        const slug = view.slugOfKey.get(key) ?? key;
        // Most pages hold no diagram and no HTML item in their story or journal (an import keeps
        // the source's HTML, sanitised when served): their stored JSON is already what to send.
        const stored = await service.repo.findStoredJson(slug);
        if (
          stored !== undefined &&
          !stored.story.includes('"graphviz"') &&
          !stored.story.includes('"html"') &&
          !stored.journal.includes('"html"')
        ) {
          return reply
            .type('application/json; charset=utf-8')
            .send(
              `{"title":${JSON.stringify(stored.title)},"story":${stored.story},"journal":${stored.journal}}`,
            );
        }
        const r = await service.resolve(slug);
        if (r === undefined)
          throw notFound('page_not_found', `There is no handbook page "${key}".`);
        return wikiPage(service, r.page);
      },
    );

    // Federated Wiki's own page addresses, followed from a Federated Wiki site: to the app's page.
    // A members-only handbook names no page to strangers, so the key goes on as it came.
    const redirectTo = async (reply: FastifyReply, key: string | undefined) => {
      if (key === undefined) return reply.redirect('/handbook', 302);
      const isPublic = (await service.settings()).read === 'everyone';
      const slug = (isPublic ? await slugOfKey(key) : undefined) ?? key;
      return reply.redirect(`/handbook/${encodeURIComponent(slug)}`, 302);
    };
    app.get(
      '/:slug.html',
      {
        schema: {
          tags,
          summary: "A Federated Wiki page address: redirects to the page's view",
          params: z.object({ slug: z.string().min(1).max(300) }),
        },
      },
      async (req, reply) => redirectTo(reply, req.params.slug),
    );
    app.get(
      '/view',
      { schema: { tags, summary: 'An empty Federated Wiki lineup: to the handbook' } },
      async (_req, reply) => redirectTo(reply, undefined),
    );
    app.get(
      '/view/*',
      {
        schema: {
          tags,
          summary: 'A Federated Wiki lineup: redirects to the view of its rightmost page here',
          params: z.object({ '*': z.string().max(2000) }),
        },
      },
      async (req, reply) => redirectTo(reply, lastLocalPage(`view/${req.params['*']}`)),
    );
  };
}
