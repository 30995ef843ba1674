import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createSpaceBody,
  joinSpaceBody,
  joinTicketDto,
  slugSuggestionDto,
  slugSuggestionQuery,
  spaceDefaultsDto,
  spaceDto,
  spaceListsDto,
  spacePublicDto,
  updateSpaceBody,
} from '@common/api/spaces';
import type { ModuleDeps } from '@server/app';
import { forbidden, unauthenticated } from '@server/http/errors';
import type { FloodLimits } from '@server/platform/limits';
import { failureLogFor } from '@server/http/guess-guard';
import { AccessCodeGuard, type GuardLimits } from './access-guard';
import { presentPublic, presentSpace, presentSummary } from './spaces.presenter';
import { can } from './spaces.policy';
import { createSpacesRepo } from './spaces.repo';
import {
  createSpace,
  deleteSpace,
  findSpaceFor,
  getSpaceDefaults,
  issueJoinTicket,
  joinLimitsOf,
  listSpacesOf,
  noLiveMeetings,
  publicSpace,
  setSpaceDefaults,
  suggestSlugFor,
  updateSpace,
  type LiveMeetings,
  type SpaceView,
  type SpacesContext,
} from './spaces.service';

export interface SpacesRouteOptions {
  /** The meeting router's view of live meetings (participant counts, locks; ending on delete). */
  live?: LiveMeetings;
  /** The WebSocket path clients open after a join. */
  wsPath?: string;
  /** Wrong-access-code limits (tests lower them). */
  guardLimits?: GuardLimits;
  /** Join tickets per address and guest tickets per space (tests of other things raise them). */
  floodLimits?: FloodLimits;
}

const slugParams = z.strictObject({ slug: z.string().min(1).max(200) });
const errorResponse = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

/** REST for spaces under /api/v1: CRUD, lists, public page, join tickets, steward defaults. */
export function spacesRoutes(
  deps: ModuleDeps,
  options: SpacesRouteOptions = {},
): FastifyPluginAsync {
  return async (base) => {
    const app = base.withTypeProvider<ZodTypeProvider>();
    const live = options.live ?? noLiveMeetings;
    const ctx: SpacesContext = {
      repo: createSpacesRepo(deps.db.db),
      clock: deps.clock,
      config: deps.config,
      bus: deps.bus,
      guard: new AccessCodeGuard(
        deps.clock,
        options.guardLimits,
        failureLogFor(deps.sharedCounters, 'access-code'),
      ),
      live,
      joinLimits: joinLimitsOf(deps.clock, options.floodLimits),
    };
    const publicUrl = deps.config.publicUrl;
    const tags = ['spaces'];

    app.get(
      '/spaces',
      {
        schema: {
          tags,
          summary: 'My spaces and the spaces shared with me (co-moderator)',
          response: { 200: spaceListsDto, 401: errorResponse },
        },
      },
      async (request) => {
        const lists = await listSpacesOf(ctx, request.actor);
        const summaries = (views: SpaceView[], role: 'owner' | 'co_moderator') =>
          Promise.all(
            views.map(async (v) => presentSummary(v, role, publicUrl, await live.status(v.row.id))),
          );
        return {
          mine: await summaries(lists.mine, 'owner'),
          sharedWithMe: await summaries(lists.sharedWithMe, 'co_moderator'),
        };
      },
    );

    app.post(
      '/spaces',
      {
        schema: {
          tags,
          summary: 'Create a space (settings left out take the site defaults)',
          body: createSpaceBody,
          response: {
            201: spaceDto,
            400: errorResponse,
            401: errorResponse,
            409: errorResponse,
            422: errorResponse,
          },
        },
      },
      async (request, reply) => {
        const view = await createSpace(ctx, request.actor, request.body);
        return reply
          .status(201)
          .send(presentSpace(view, request.actor, publicUrl, await live.status(view.row.id)));
      },
    );

    app.get(
      '/spaces/slug-suggestion',
      {
        schema: {
          tags,
          summary: 'A free, Unicode-safe slug suggested from a name',
          querystring: slugSuggestionQuery,
          response: { 200: slugSuggestionDto, 401: errorResponse },
        },
      },
      async (request) => {
        if (request.actor.kind !== 'account') throw unauthenticated();
        return { slug: await suggestSlugFor(ctx, request.query.name) };
      },
    );

    app.get(
      '/spaces/:slug',
      {
        schema: {
          tags,
          summary: 'A space with its settings and access codes (owner, co-moderators, stewards)',
          params: slugParams,
          response: { 200: spaceDto, 401: errorResponse, 404: errorResponse },
        },
      },
      async (request) => {
        const view = await findSpaceFor(ctx, request.actor, request.params.slug);
        return presentSpace(view, request.actor, publicUrl, await live.status(view.row.id));
      },
    );

    app.patch(
      '/spaces/:slug',
      {
        schema: {
          tags,
          summary: 'Edit a space (slug and co-moderators: owner only)',
          params: slugParams,
          body: updateSpaceBody,
          response: {
            200: spaceDto,
            400: errorResponse,
            401: errorResponse,
            403: errorResponse,
            404: errorResponse,
            409: errorResponse,
            422: errorResponse,
          },
        },
      },
      async (request) => {
        const view = await updateSpace(ctx, request.actor, request.params.slug, request.body);
        return presentSpace(view, request.actor, publicUrl, await live.status(view.row.id));
      },
    );

    app.delete(
      '/spaces/:slug',
      {
        schema: {
          tags,
          summary: 'Delete a space (owner); its live meeting ends',
          params: slugParams,
          response: { 204: z.null(), 401: errorResponse, 403: errorResponse, 404: errorResponse },
        },
      },
      async (request, reply) => {
        await deleteSpace(ctx, request.actor, request.params.slug);
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/spaces/:slug/public',
      {
        schema: {
          tags,
          summary: 'What the pre-join page needs (never the access codes)',
          params: slugParams,
          response: { 200: spacePublicDto, 404: errorResponse },
        },
      },
      async (request) => {
        const view = await publicSpace(ctx, request.params.slug);
        return presentPublic(view, request.actor, await live.status(view.row.id));
      },
    );

    app.post(
      '/spaces/:slug/join',
      {
        schema: {
          tags,
          summary: 'Checks access and returns a short-lived join token for the WebSocket',
          params: slugParams,
          body: joinSpaceBody,
          response: {
            200: joinTicketDto,
            400: errorResponse,
            401: errorResponse,
            403: errorResponse,
            404: errorResponse,
            409: errorResponse,
            429: errorResponse,
          },
        },
      },
      async (request) => {
        const ticket = await issueJoinTicket(ctx, {
          actor: request.actor,
          slug: request.params.slug,
          body: request.body,
          address: request.ip,
        });
        return {
          token: ticket.token,
          expiresAt: ticket.expiresAt.toISOString(),
          wsPath: options.wsPath ?? '/ws',
          iceServers: deps.config.media.turnServers.map((urls) => ({ urls })),
          role: ticket.role,
          spaceId: ticket.spaceId,
        };
      },
    );

    app.get(
      '/admin/space-defaults',
      {
        schema: {
          tags,
          summary: 'Site-wide space defaults and per-setting policy (stewards)',
          response: { 200: spaceDefaultsDto, 401: errorResponse, 403: errorResponse },
        },
      },
      async (request) => {
        if (request.actor.kind !== 'account') throw unauthenticated();
        if (!can(request.actor, 'spaceDefaults.manage')) throw forbidden('Stewards only.');
        return getSpaceDefaults(ctx);
      },
    );

    app.put(
      '/admin/space-defaults',
      {
        schema: {
          tags,
          summary: 'Set the site-wide space defaults and per-setting policy (stewards)',
          body: spaceDefaultsDto,
          response: {
            200: spaceDefaultsDto,
            400: errorResponse,
            401: errorResponse,
            403: errorResponse,
          },
        },
      },
      async (request) => {
        if (request.actor.kind !== 'account') throw unauthenticated();
        return setSpaceDefaults(ctx, request.actor, request.body);
      },
    );
  };
}
