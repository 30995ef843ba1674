import type { Actor } from '@server/http/actor';

/** What a policy check needs to know about a space. */
export interface SpaceSubject {
  ownerId: string;
  coModeratorIds: readonly string[];
}

export type SpaceAction =
  | 'space.create'
  | 'space.list'
  | 'space.read'
  | 'space.update'
  | 'space.manage'
  | 'space.delete'
  | 'space.moderate'
  | 'spaceDefaults.manage';

const isOwner = (actor: Actor, s: SpaceSubject) =>
  actor.kind === 'account' && actor.accountId === s.ownerId;
const isCoModerator = (actor: Actor, s: SpaceSubject) =>
  actor.kind === 'account' && s.coModeratorIds.includes(actor.accountId);
const isSteward = (actor: Actor) => actor.kind === 'account' && actor.role === 'steward';

/**
 * Who may do what with spaces, as declarative rules:
 * - members create spaces and list their own;
 * - owners and co-moderators read (with access codes) and edit settings, and moderate meetings;
 * - only the owner (or a steward) changes the slug or co-moderators, or deletes the space;
 * - stewards set the site-wide defaults.
 */
const rules: Record<SpaceAction, (actor: Actor, s: SpaceSubject | undefined) => boolean> = {
  'space.create': (a) => a.kind === 'account',
  'space.list': (a) => a.kind === 'account',
  'space.read': (a, s) => s !== undefined && (isOwner(a, s) || isCoModerator(a, s) || isSteward(a)),
  'space.update': (a, s) =>
    s !== undefined && (isOwner(a, s) || isCoModerator(a, s) || isSteward(a)),
  'space.manage': (a, s) => s !== undefined && (isOwner(a, s) || isSteward(a)),
  'space.delete': (a, s) => s !== undefined && (isOwner(a, s) || isSteward(a)),
  'space.moderate': (a, s) => s !== undefined && (isOwner(a, s) || isCoModerator(a, s)),
  'spaceDefaults.manage': (a) => isSteward(a),
};

/** `can(actor, action, subject)`: true when the rule for the action allows it. */
export function can(actor: Actor, action: SpaceAction, subject?: SpaceSubject): boolean {
  return rules[action](actor, subject);
}
