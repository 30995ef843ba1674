import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '@server/http/errors';
import { assertPublic, sitemap, wikiPage } from './handbook.interop';
import type { HandbookService } from './handbook.service';

const tags = ['federated-wiki'];
const PUBLIC_CHECK_MS = 1000;

function openCors(reply: FastifyReply): void {
  reply
    .header('access-control-allow-origin', '*')
    .header('access-control-allow-methods', 'GET')
    .header('cross-origin-resource-policy', 'cross-origin');
}

/**
 * Federated Wiki's read-only routes at the site root: `GET /<slug>.json` and
 * `GET /system/sitemap.json`, CORS open for GET. Only paths ending in .json match, so the SPA's
 * routes are untouched.
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
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/system/sitemap.json',
      { schema: { tags, summary: 'Federated Wiki sitemap: slug, title, date, synopsis, links' } },
      async (_req, reply) => {
        openCors(reply);
        await ensurePublic();
        return sitemap(service);
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
        // Most pages hold no diagram and no HTML item in their story or journal (an import keeps
        // the source's HTML, sanitised when served): their stored JSON is already what to send.
        const stored = await service.repo.findStoredJson(req.params.slug);
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
        const r = await service.resolve(req.params.slug);
        if (r === undefined)
          throw notFound('page_not_found', `There is no handbook page "${req.params.slug}".`);
        return wikiPage(service, r.page);
      },
    );
  };
}
