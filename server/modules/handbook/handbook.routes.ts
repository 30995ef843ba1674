import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { badRequest } from '@server/http/errors';
import type { Clock } from '@server/platform/clock';
import {
  addItemBodySchema,
  createPageBodySchema,
  diagramViewSchema,
  editItemBodySchema,
  handbookImageTypes,
  handbookSettingsSchema,
  HANDBOOK_IMAGE_MAX_BYTES,
  moveItemsBodySchema,
  pageViewSchema,
  renamePageBodySchema,
  restoreBodySchema,
  searchResultSchema,
  setSectionsBodySchema,
  placeInSectionBodySchema,
  updateLinksBodySchema,
  storedItemSchema,
  circleIdSchema,
  circleViewSchema,
  putCircleBodySchema,
} from '@common/api/handbook';
import { imageTooLarge, type HandbookImages } from './handbook.images';
import { presentPage, safeSvg } from './handbook.presenter';
import { HISTORY_PAGE_MAX, type HandbookService } from './handbook.service';

const tags = ['handbook'];
const slugParams = z.object({ slug: z.string().min(1).max(300) });
const itemParams = slugParams.extend({ id: z.string().min(1).max(64) });
const summary = z.object({ slug: z.string(), title: z.string() });
const ok = z.object({ ok: z.literal(true) });
const circleParams = z.object({ id: circleIdSchema });

/** The handbook API under /api/v1/handbook: thin routes, parse → authorize → service → present. */
export function handbookApiRoutes(
  service: HandbookService,
  images: HandbookImages,
  clock: Clock,
): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>();

    // Image uploads arrive as raw bytes; read with our own limit so the refusal names it.
    app.addContentTypeParser([...handbookImageTypes], (_req, payload, done) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let failed = false;
      payload.on('data', (chunk: Buffer) => {
        if (failed) return;
        size += chunk.length;
        if (size > HANDBOOK_IMAGE_MAX_BYTES) {
          failed = true;
          done(imageTooLarge(size), undefined);
          return;
        }
        chunks.push(chunk);
      });
      payload.on('end', () => {
        if (!failed) done(null, Buffer.concat(chunks));
      });
      payload.on('error', (err) => {
        if (!failed) done(err, undefined);
      });
    });

    const page = z.object({ page: pageViewSchema });
    const present = async (actor: Parameters<typeof presentPage>[1], slug: string) =>
      presentPage(service, actor, await service.readPage(actor, slug));

    app.get(
      '/pages',
      {
        schema: {
          tags,
          summary: 'List pages (titles, for navigation and [[ suggestions)',
          response: {
            200: z.object({ pages: z.array(summary.extend({ updatedAt: z.string() })) }),
          },
        },
      },
      async (req) => ({ pages: await service.listPages(req.actor) }),
    );

    app.post(
      '/pages',
      {
        schema: {
          tags,
          summary: 'Create a page (409 page_exists when its slug is taken)',
          body: createPageBodySchema,
          response: { 201: page },
        },
      },
      async (req, reply) => {
        const created = await service.createPage(req.actor, req.body);
        return reply.status(201).send({ page: await present(req.actor, created.slug) });
      },
    );

    app.get(
      '/pages/:slug',
      {
        schema: {
          tags,
          summary: 'Read a page (old slugs and aliases redirect)',
          params: slugParams,
          response: { 200: page },
        },
      },
      async (req) => ({ page: await present(req.actor, req.params.slug) }),
    );

    app.delete(
      '/pages/:slug',
      {
        schema: {
          tags,
          summary:
            'Delete a page (who may edit): kept among deleted pages with its journal; its section is mended, links to it become missing (404 page_not_found)',
          params: slugParams,
          response: { 200: z.object({ deleted: summary }) },
        },
      },
      async (req) => {
        // What fetch leaves of DELETE …/pages/<slug>/items/.. (an item id of dots that a URL
        // parser resolved away) is DELETE …/pages/<slug>/: never take that for the page.
        if ((req.url.split('?')[0] ?? '').endsWith('/')) {
          throw badRequest(
            'validation_failed',
            'To delete a page, send DELETE …/pages/<slug> with no trailing slash; a path ending in "/" may be an item’s URL whose id a URL parser resolved away.',
          );
        }
        return { deleted: await service.deletePage(req.actor, req.params.slug) };
      },
    );

    app.get(
      '/deleted-pages',
      {
        schema: {
          tags,
          summary: 'Deleted pages, newest first (stewards)',
          response: {
            200: z.object({
              pages: z.array(summary.extend({ id: z.string(), deletedAt: z.string() })),
            }),
          },
        },
      },
      async (req) => ({ pages: await service.deletedPages(req.actor) }),
    );

    app.post(
      '/deleted-pages/:id/restore',
      {
        schema: {
          tags,
          summary:
            'Bring a deleted page back with its journal, outside any section (stewards; 409 page_exists when its slug was taken)',
          params: z.object({ id: z.string().min(1).max(64) }),
          response: { 200: page },
        },
      },
      async (req) => {
        const restored = await service.restoreDeleted(req.actor, req.params.id);
        return { page: await present(req.actor, restored.slug) };
      },
    );

    app.post(
      '/pages/:slug/items',
      {
        schema: {
          tags,
          summary: 'Add an item',
          params: slugParams,
          body: addItemBodySchema,
          response: { 200: page },
        },
      },
      async (req) => {
        const saved = await service.addItem(req.actor, req.params.slug, req.body);
        return { page: await present(req.actor, saved.slug) };
      },
    );

    app.put(
      '/pages/:slug/items/:id',
      {
        schema: {
          tags,
          summary: 'Edit an item (409 edit_conflict when it changed since baseVersion)',
          params: itemParams,
          body: editItemBodySchema,
          response: { 200: page },
        },
      },
      async (req) => {
        const saved = await service.editItem(req.actor, req.params.slug, req.params.id, req.body);
        return { page: await present(req.actor, saved.slug) };
      },
    );

    app.delete(
      '/pages/:slug/items/:id',
      { schema: { tags, summary: 'Remove an item', params: itemParams, response: { 200: page } } },
      async (req) => {
        const saved = await service.removeItem(req.actor, req.params.slug, req.params.id);
        return { page: await present(req.actor, saved.slug) };
      },
    );

    app.put(
      '/pages/:slug/order',
      {
        schema: {
          tags,
          summary: 'Move items (the new order of item ids)',
          params: slugParams,
          body: moveItemsBodySchema,
          response: { 200: page },
        },
      },
      async (req) => {
        const saved = await service.moveItems(req.actor, req.params.slug, req.body.order);
        return { page: await present(req.actor, saved.slug) };
      },
    );

    app.post(
      '/pages/:slug/rename',
      {
        schema: {
          tags,
          summary:
            'Rename a page; the old slug redirects; lists pages whose links could be updated',
          params: slugParams,
          body: renamePageBodySchema,
          response: {
            200: page.extend({
              oldSlug: z.string(),
              oldTitle: z.string(),
              linkingPages: z.array(summary),
            }),
          },
        },
      },
      async (req) => {
        const r = await service.renamePage(req.actor, req.params.slug, req.body.title);
        return {
          page: await present(req.actor, r.page.slug),
          oldSlug: r.oldSlug,
          oldTitle: r.oldTitle,
          linkingPages: r.linkingPages,
        };
      },
    );

    app.post(
      '/pages/:slug/update-links',
      {
        schema: {
          tags,
          summary: 'Rewrite [[Old title]] to this page’s title in every linking page',
          params: slugParams,
          body: updateLinksBodySchema,
          response: { 200: z.object({ updated: z.array(z.string()) }) },
        },
      },
      async (req) => service.updateLinks(req.actor, req.params.slug, req.body.from),
    );

    app.get(
      '/pages/:slug/history',
      {
        schema: {
          tags,
          summary:
            'The whole history of a page, one entry per journal action: the `limit` entries before index `before` (default: the newest), oldest first, and how many there are',
          params: slugParams,
          querystring: z.object({
            before: z.coerce.number().int().min(0).optional(),
            limit: z.coerce.number().int().min(1).max(HISTORY_PAGE_MAX).default(HISTORY_PAGE_MAX),
          }),
          response: {
            200: z.object({
              total: z.number().int(),
              history: z.array(
                z.object({
                  index: z.number(),
                  type: z.string(),
                  date: z.number().nullable(),
                  author: z.string().nullable(),
                  itemId: z.string().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async (req) => service.history(req.actor, req.params.slug, req.query),
    );

    app.get(
      '/pages/:slug/versions/:index',
      {
        schema: {
          tags,
          summary: 'The page as it was after journal action :index',
          params: slugParams.extend({ index: z.coerce.number().int().min(0) }),
          response: { 200: z.object({ title: z.string(), story: z.array(storedItemSchema) }) },
        },
      },
      async (req) => service.version(req.actor, req.params.slug, req.params.index),
    );

    app.post(
      '/pages/:slug/restore',
      {
        schema: {
          tags,
          summary: 'Restore a past version (a new journal action)',
          params: slugParams,
          body: restoreBodySchema,
          response: { 200: page },
        },
      },
      async (req) => {
        const saved = await service.restore(req.actor, req.params.slug, req.body.journalIndex);
        return { page: await present(req.actor, saved.slug) };
      },
    );

    app.get(
      '/pages/:slug/diagram',
      {
        schema: {
          tags,
          summary: 'The neighbourhood diagram of a page (preview-next-diagram)',
          params: slugParams,
          response: { 200: diagramViewSchema },
        },
      },
      async (req) => {
        const { page: p } = await service.readPage(req.actor, req.params.slug);
        if (service.diagrams === undefined)
          throw badRequest('validation_failed', 'Diagrams are not available.');
        const d = await service.diagrams.neighbourhood(p.slug);
        return { ...d, ...(d.svg !== undefined ? { svg: safeSvg(d.svg) } : {}) };
      },
    );

    app.get(
      '/search',
      {
        schema: {
          tags,
          summary: 'Full-text search; snippets escaped, matches in <mark>',
          querystring: z.object({
            q: z.string().max(200),
            limit: z.coerce.number().int().min(1).max(50).default(20),
          }),
          response: { 200: z.object({ results: z.array(searchResultSchema) }) },
        },
      },
      async (req) => ({ results: await service.search(req.actor, req.query.q, req.query.limit) }),
    );

    app.get(
      '/keywords',
      {
        schema: {
          tags,
          summary: 'The Keywords index: every #keyword with its pages',
          response: {
            200: z.object({
              keywords: z.array(z.object({ keyword: z.string(), pages: z.array(summary) })),
            }),
          },
        },
      },
      async (req) => ({ keywords: await service.keywordIndex(req.actor) }),
    );

    const sectionsResponse = z.object({
      sections: z.array(summary.extend({ pages: z.array(summary.extend({ depth: z.number() })) })),
    });
    app.get(
      '/sections',
      {
        schema: {
          tags,
          summary: 'The sections, each with its pages in reading order',
          response: { 200: sectionsResponse },
        },
      },
      async (req) => ({ sections: await service.sectionTree(req.actor) }),
    );
    app.put(
      '/sections',
      {
        schema: {
          tags,
          summary: 'Set the sections and their order (stewards)',
          body: setSectionsBodySchema,
          response: { 200: sectionsResponse },
        },
      },
      async (req) => {
        await service.setSections(req.actor, req.body.sections);
        return { sections: await service.sectionTree(req.actor) };
      },
    );

    app.put(
      '/pages/:slug/section',
      {
        schema: {
          tags,
          summary:
            'Put a page at the end of a section, or take it out of its section (who may edit pages; 409 section_head for a section’s head page)',
          params: slugParams,
          body: placeInSectionBodySchema,
          response: { 200: page },
        },
      },
      async (req) => {
        const slug = await service.placeInSection(req.actor, req.params.slug, req.body.section);
        return { page: await present(req.actor, slug) };
      },
    );

    app.get(
      '/settings',
      {
        schema: {
          tags,
          summary: 'Who may read and edit the handbook',
          response: {
            200: handbookSettingsSchema.extend({
              canEdit: z.boolean(),
              canAdminister: z.boolean(),
            }),
          },
        },
      },
      async (req) => ({
        ...(await service.settings()),
        canEdit: await service.allows(req.actor, 'edit'),
        canAdminister: await service.allows(req.actor, 'administer'),
      }),
    );
    app.put(
      '/settings',
      {
        schema: {
          tags,
          summary: 'Set who may read and edit (stewards)',
          body: handbookSettingsSchema.strict(),
          response: { 200: handbookSettingsSchema },
        },
      },
      async (req) => service.putSettings(req.actor, req.body),
    );
    app.get(
      '/circles',
      {
        schema: {
          tags,
          summary: 'The circles and their members (stewards)',
          response: { 200: z.object({ circles: z.array(circleViewSchema) }) },
        },
      },
      async (req) => ({ circles: await service.listCircles(req.actor) }),
    );
    app.delete(
      '/circles/:id',
      {
        schema: {
          tags,
          summary:
            'Delete a circle; it leaves the edit policy’s chosen circles (stewards; 404 circle_not_found)',
          params: circleParams,
          response: { 200: ok },
        },
      },
      async (req) => {
        await service.deleteCircle(req.actor, req.params.id);
        return { ok: true as const };
      },
    );
    app.put(
      '/circles/:id',
      {
        schema: {
          tags,
          summary: 'Create or update a circle and its members (stewards; 409 circle_name_taken)',
          params: circleParams,
          body: putCircleBodySchema,
          response: { 200: ok },
        },
      },
      async (req) => {
        await service.putCircle(req.actor, req.params.id, req.body.name, req.body.members);
        return { ok: true as const };
      },
    );

    app.post(
      '/images',
      {
        bodyLimit: HANDBOOK_IMAGE_MAX_BYTES * 2,
        schema: {
          tags,
          summary: `Upload an image (PNG, JPEG, GIF, WebP; at most ${HANDBOOK_IMAGE_MAX_BYTES / 1024 / 1024} MiB) as the raw body`,
          response: { 201: z.object({ id: z.string(), url: z.string(), contentType: z.string() }) },
        },
      },
      async (req, reply) => {
        await service.authorize(req.actor, 'edit');
        if (!Buffer.isBuffer(req.body))
          throw badRequest(
            'validation_failed',
            'Send the image bytes with its image content type.',
          );
        const stored = await images.store(
          req.body,
          req.actor.kind === 'account' ? req.actor.accountId : null,
          clock.now(),
        );
        return reply.status(201).send(stored);
      },
    );

    app.get(
      '/images/:id',
      {
        schema: {
          tags,
          summary: 'An uploaded image, with its content type',
          params: z.object({ id: z.string().max(64) }),
        },
      },
      async (req, reply) => {
        await service.authorize(req.actor, 'read');
        const img = await images.read(req.params.id);
        // An image never changes under its id, so a public handbook's may be cached anywhere for
        // good; a members-only one's stays in the member's own browser, and not for long (a
        // shared computer keeps it after logging out).
        const everyone = (await service.settings()).read === 'everyone';
        return reply
          .type(img.contentType)
          .header('x-content-type-options', 'nosniff')
          .header(
            'cache-control',
            everyone ? 'public, max-age=31536000, immutable' : 'private, max-age=3600',
          )
          .send(img.bytes);
      },
    );
  };
}
