import type { SpaceDto, SpacePublicDto, SpaceSummaryDto } from '@common/api/spaces';
import type { Actor } from '@server/http/actor';
import type { LiveStatus, SpaceView } from './spaces.service';

/** The link to share: `<publicUrl>/s/<slug>`. */
export const spaceUrl = (publicUrl: string, slug: string): string =>
  `${publicUrl}/s/${encodeURIComponent(slug)}`;

function roleOf(actor: Actor, v: SpaceView): 'owner' | 'co_moderator' | 'steward' {
  if (actor.kind !== 'account') return 'steward';
  if (actor.accountId === v.row.ownerId) return 'owner';
  if (v.coModerators.some((c) => c.id === actor.accountId)) return 'co_moderator';
  return 'steward';
}

/** The full space, with access codes: only for owners, co-moderators and stewards. */
export function presentSpace(
  v: SpaceView,
  actor: Actor,
  publicUrl: string,
  live: LiveStatus | undefined,
): SpaceDto {
  return {
    id: v.row.id,
    slug: v.row.slug,
    name: v.row.name,
    description: v.row.description,
    url: spaceUrl(publicUrl, v.row.slug),
    owner: v.owner,
    coModerators: v.coModerators,
    settings: v.settings,
    lockedSettings: v.lockedSettings,
    myRole: roleOf(actor, v),
    live: live === undefined ? null : { participants: live.participants, locked: live.locked },
    createdAt: v.row.createdAt,
    updatedAt: v.row.updatedAt,
  };
}

/** A space in my lists: no settings, no codes. */
export function presentSummary(
  v: SpaceView,
  myRole: 'owner' | 'co_moderator',
  publicUrl: string,
  status: LiveStatus | undefined,
): SpaceSummaryDto {
  return {
    id: v.row.id,
    slug: v.row.slug,
    name: v.row.name,
    description: v.row.description,
    url: spaceUrl(publicUrl, v.row.slug),
    owner: v.owner,
    myRole,
    live: status === undefined ? null : { participants: status.participants },
    createdAt: v.row.createdAt,
  };
}

/** What the pre-join page may know: whether codes are needed, never the codes. */
export function presentPublic(
  v: SpaceView,
  actor: Actor,
  live: LiveStatus | undefined,
): SpacePublicDto {
  const isModerator =
    actor.kind === 'account' &&
    (actor.accountId === v.row.ownerId || v.coModerators.some((c) => c.id === actor.accountId));
  return {
    id: v.row.id,
    slug: v.row.slug,
    name: v.row.name,
    description: v.row.description,
    accessCodeRequired: v.settings.viewerAccessCode !== null,
    moderatorCodeEnabled: v.settings.moderatorAccessCode !== null,
    signInRequired: v.settings.signInRequired,
    lobby: v.settings.lobby,
    maxParticipants: v.settings.maxParticipants,
    live: live === undefined ? null : { participants: live.participants, locked: live.locked },
    viewerIsModerator: isModerator,
    everyoneJoinsAsModerator: v.settings.everyoneJoinsAsModerator,
  };
}
