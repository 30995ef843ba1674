import type { SpaceSettings } from '@common/api/spaces';
import type { ModuleDeps } from '@server/app';
import { verifyJoinToken, type TokenCheck } from './join-token';
import { createSpacesRepo } from './spaces.repo';
import { viewOf, noLiveMeetings, type SpacesContext } from './spaces.service';
import { AccessCodeGuard } from './access-guard';

/** A space as a live meeting needs it: no access codes. */
export interface MeetingSpace {
  spaceId: string;
  slug: string;
  name: string;
  ownerId: string;
  coModeratorIds: string[];
  settings: Omit<SpaceSettings, 'viewerAccessCode' | 'moderatorAccessCode'>;
}

/** A chat message kept between meetings (spaces with "keep chat" on). */
export interface KeptChatMessage {
  id: string;
  accountId: string | null;
  authorName: string;
  text: string;
  sentAt: string;
}

/** What realtime/signal asks of spaces: token checks, the space's settings, kept chat. */
export interface SpacesGateway {
  verifyJoinToken(token: unknown): TokenCheck;
  /** The space, or undefined when it does not exist (deleted). */
  meetingSpace(spaceId: string): Promise<MeetingSpace | undefined>;
  keptChat(spaceId: string, limit: number): Promise<KeptChatMessage[]>;
  keepChat(spaceId: string, messages: KeptChatMessage[]): Promise<void>;
}

/** The gateway over the spaces tables (one per app). */
export function createSpacesGateway(deps: ModuleDeps): SpacesGateway {
  const repo = createSpacesRepo(deps.db.db);
  const ctx: SpacesContext = {
    repo,
    clock: deps.clock,
    config: deps.config,
    bus: deps.bus,
    guard: new AccessCodeGuard(deps.clock),
    live: noLiveMeetings,
  };
  return {
    verifyJoinToken: (token) => verifyJoinToken(deps.config.sessionSecret, token, deps.clock.now()),
    meetingSpace: async (spaceId) => {
      const row = await repo.findById(spaceId);
      if (row === undefined) return undefined;
      const v = await viewOf(ctx, row);
      const { viewerAccessCode: _v, moderatorAccessCode: _m, ...settings } = v.settings;
      return {
        spaceId: row.id,
        slug: row.slug,
        name: row.name,
        ownerId: row.ownerId,
        coModeratorIds: v.coModerators.map((c) => c.id),
        settings,
      };
    },
    keptChat: async (spaceId, limit) =>
      (await repo.listChat(spaceId, limit)).map((r) => ({
        id: r.id,
        accountId: r.accountId,
        authorName: r.authorName,
        text: r.text,
        sentAt: r.sentAt,
      })),
    keepChat: async (spaceId, messages) => {
      if ((await repo.findById(spaceId)) === undefined) return;
      await repo.insertChat(messages.map((m) => ({ ...m, spaceId })));
    },
  };
}
