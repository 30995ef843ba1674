import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '@server/http/errors';
import { assertPublic, sitemap, wikiPage } from './handbook.interop';
import type { HandbookService } from './handbook.service';

const tags = ['federated-wiki'];

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
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/system/sitemap.json',
      { schema: { tags, summary: 'Federated Wiki sitemap: slug, title, date, synopsis, links' } },
      async (_req, reply) => {
        openCors(reply);
        await assertPublic(service);
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
        await assertPublic(service);
        const r = await service.resolve(req.params.slug);
        if (r === undefined)
          throw notFound('page_not_found', `There is no handbook page "${req.params.slug}".`);
        return wikiPage(service, r.page);
      },
    );
  };
}
