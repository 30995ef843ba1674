/**
 * Who is making a request. Set on every request by the auth module's hook (a guest until then);
 * every route's policy check takes it.
 */
export type Role = 'member' | 'steward';

export type Actor =
  | { kind: 'guest'; locale: string }
  | {
      kind: 'account';
      accountId: string;
      sessionId: string;
      email: string;
      name: string;
      role: Role;
      locale: string;
    };

export type AccountActor = Extract<Actor, { kind: 'account' }>;

export const guestActor = (locale = 'en'): Actor => ({ kind: 'guest', locale });

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
}
