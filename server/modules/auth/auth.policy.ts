import type { AccountActor, Actor } from '@server/http/actor';
import { forbidden, unauthenticated } from '@server/http/errors';

/**
 * What an actor may do, as declarative rules. Other modules call `can` (or `authorize`) with the
 * generic actions `member` (any logged-in account) and `steward` (the board), or with the account
 * actions below; every auth route goes through `authorize`.
 */
export type AuthAction =
  | 'member'
  | 'steward'
  | 'account.read'
  | 'account.update'
  | 'account.delete'
  | 'accounts.list'
  | 'members.lookup'
  | 'account.administer'
  | 'registration.manage'
  | 'invitations.manage';

/** The thing acted on, when the rule depends on it (an account's id for account.*). */
export interface PolicySubject {
  accountId?: string;
}

type Rule = (actor: AccountActor, subject: PolicySubject | undefined) => boolean;

const isSteward: Rule = (a) => a.role === 'steward';
const isSelf: Rule = (a, s) => s?.accountId === undefined || s.accountId === a.accountId;

const rules: Record<AuthAction, Rule> = {
  member: () => true,
  steward: isSteward,
  'account.read': (a, s) => isSelf(a, s) || isSteward(a, s),
  'account.update': isSelf,
  'account.delete': isSelf,
  'accounts.list': isSteward,
  // Any member: owners pick co-moderators; what they see is limited by presentMemberRef.
  'members.lookup': () => true,
  'account.administer': isSteward,
  'registration.manage': isSteward,
  'invitations.manage': isSteward,
};

/** True when the actor may perform the action on the subject. Guests may do none of these. */
export function can(actor: Actor, action: AuthAction, subject?: PolicySubject): boolean {
  if (actor.kind !== 'account') return false;
  return rules[action](actor, subject);
}

/**
 * Throws unless `can` allows it: 401 `unauthenticated` for a guest, 403 `forbidden` otherwise.
 * Returns the actor narrowed to an account.
 */
export function authorize(actor: Actor, action: AuthAction, subject?: PolicySubject): AccountActor {
  if (actor.kind !== 'account') throw unauthenticated();
  if (!rules[action](actor, subject)) throw forbidden();
  return actor;
}
