import type { Actor } from '@server/http/actor';
import type { HandbookSettings } from '@common/api/handbook';

/** What one may do with the handbook. */
export type HandbookAction = 'read' | 'edit' | 'administer';

/** What a decision needs to know besides the actor. */
export interface HandbookSubject {
  settings: HandbookSettings;
  /** Circles the actor belongs to (empty for guests). */
  actorCircles: readonly string[];
}

/**
 * The handbook's rules, declared in one place:
 * - read: everyone, or only signed-in members when the read setting is 'members';
 * - edit: stewards always; members when the policy is 'members'; members of one of the chosen
 *   circles when it is 'circles'; nobody else;
 * - administer (sections order, settings, circles): stewards.
 */
export function can(actor: Actor, action: HandbookAction, subject: HandbookSubject): boolean {
  const member = actor.kind === 'account';
  const steward = member && actor.role === 'steward';
  switch (action) {
    case 'read':
      return subject.settings.read === 'everyone' || member;
    case 'edit':
      if (steward) return true;
      if (!member) return false;
      if (subject.settings.edit === 'members') return true;
      if (subject.settings.edit === 'circles')
        return subject.actorCircles.some((c) => subject.settings.editCircles.includes(c));
      return false;
    case 'administer':
      return steward;
  }
}
