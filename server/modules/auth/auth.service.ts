import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventBus } from '@server/platform/bus';
import type { Clock } from '@server/platform/clock';
import { isoNow } from '@server/platform/db';
import { newId, newToken } from '@server/platform/ids';
import type { Logger } from '@server/platform/log';
import type { Mailer } from '@server/platform/mail';
import { AppError, badRequest, conflict, forbidden, notFound } from '@server/http/errors';
import { MEMBER_LOOKUP_LIMIT, MEMBER_LOOKUP_MIN_LENGTH, registrationModes } from '@common/api/auth';
import { hashPassword, passwordWeakness, verifyPassword, type HashCost } from './auth.passwords';
import {
  isUniqueViolation,
  type AccountFilter,
  type AccountRow,
  type AccountStatus,
  type AuthRepo,
  type InvitationRow,
  type Role,
} from './auth.repo';

export type RegistrationMode = (typeof registrationModes)[number];

export interface AuthServiceDeps {
  repo: AuthRepo;
  clock: Clock;
  mailer: Mailer;
  log: Logger;
  publicUrl: string;
  /** Keys the HMAC of invitation links. */
  secret: string;
  hashCost: HashCost;
  sessionTtlMs: number;
  /** Where `setup.completed` is published (absent in the CLI). */
  bus?: EventBus;
}

/** Published once the first steward was created on the setup page. */
export const SETUP_COMPLETED = 'setup.completed';
export interface SetupCompletedPayload {
  accountId: string;
  /** The steward's language, when the setup form sent one. */
  locale: string | null;
}

/** A session just started: the token goes into the cookie, only its hash into the database. */
export interface NewSession {
  token: string;
  idHash: string;
  csrfToken: string;
  expiresAt: Date;
}

export const RESET_TTL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reads stay reads. */
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;
const REGISTRATION_KEY = 'auth.registrationMode';
const SETUP_KEY = 'auth.setupCompleted';

/** SHA-256 of a secret token, base64url: what the database keeps instead of the token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const weakPassword = (why: 'too_short' | 'too_common') =>
  badRequest(
    'password_too_weak',
    why === 'too_short'
      ? 'The password is too short.'
      : 'That password is among the most common ones; choose another.',
    { reason: why },
  );

/**
 * The rules of accounts, sessions, registration and administration. No HTTP and no SQL here:
 * routes call these verbs, the repo stores the result.
 */
export class AuthService {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly d: AuthServiceDeps) {}

  private now(): Date {
    return this.d.clock.now();
  }

  // registration and setup

  async registrationMode(): Promise<RegistrationMode> {
    const v = await this.d.repo.getSetting(REGISTRATION_KEY);
    return registrationModes.find((m) => m === v) ?? 'open';
  }

  async setRegistrationMode(mode: RegistrationMode): Promise<void> {
    await this.d.repo.putSetting(REGISTRATION_KEY, mode, isoNow(this.now()));
  }

  /** True while no steward exists: the first visit then shows the setup page. */
  async setupRequired(): Promise<boolean> {
    return (await this.d.repo.countStewards()) === 0;
  }

  /** Creates the first steward; 409 `setup_done` once any steward exists. */
  async setUp(input: {
    email: string;
    name: string;
    password: string;
    locale?: string;
  }): Promise<AccountRow> {
    this.checkStrength(input.password);
    const passwordHash = await hashPassword(input.password, this.d.hashCost);
    const done = () => conflict('setup_done', 'This Commonhall is already set up.');
    const account = await this.d.repo.transaction(async (repo) => {
      if ((await repo.countStewards()) > 0) throw done();
      // The claim makes two racing setups end with one steward.
      if (!(await repo.claimSetting(SETUP_KEY, true, isoNow(this.now())))) throw done();
      return this.insertAccount(repo, {
        ...input,
        passwordHash,
        role: 'steward',
        status: 'active',
      });
    });
    // Other modules follow the hall's first steward (the handbook re-seeds its starter in their
    // language); their failures are logged by the bus and never undo the setup.
    const payload: SetupCompletedPayload = { accountId: account.id, locale: account.locale };
    await this.d.bus?.publish({ type: SETUP_COMPLETED, payload, at: isoNow(this.now()) });
    return account;
  }

  /** Creates a steward outright (the `commonhall admin create` command). */
  async createSteward(input: {
    email: string;
    name: string;
    password: string;
  }): Promise<AccountRow> {
    this.checkStrength(input.password);
    const passwordHash = await hashPassword(input.password, this.d.hashCost);
    return this.insertAccount(this.d.repo, {
      ...input,
      passwordHash,
      role: 'steward',
      status: 'active',
    });
  }

  /**
   * Signs up under the registration mode: open → active; approval → pending (unless invited);
   * invitation → only with a good invitation link, which is then used up.
   */
  async signUp(input: {
    email: string;
    name: string;
    password: string;
    locale?: string;
    invitationToken?: string;
  }): Promise<AccountRow> {
    const mode = await this.registrationMode();
    let invitation: InvitationRow | undefined;
    if (input.invitationToken !== undefined) {
      invitation = await this.validInvitation(input.invitationToken);
      if (invitation === undefined) throw this.invitationInvalid();
      if (invitation.email !== null && invitation.email !== input.email)
        throw badRequest('invitation_invalid', 'This invitation is for another email address.');
    } else if (mode === 'invitation') {
      throw forbidden('Signing up needs an invitation.', 'invitation_required');
    }
    this.checkStrength(input.password);
    const status: AccountStatus =
      mode === 'approval' && invitation === undefined ? 'pending' : 'active';
    const passwordHash = await hashPassword(input.password, this.d.hashCost);
    return this.d.repo.transaction(async (repo) => {
      const account = await this.insertAccount(repo, {
        ...input,
        passwordHash,
        role: 'member',
        status,
      });
      if (
        invitation !== undefined &&
        !(await repo.useInvitation(invitation.id, account.id, isoNow(this.now())))
      )
        throw this.invitationInvalid();
      return account;
    });
  }

  // sessions

  /** Checks the credentials; 401 `invalid_credentials`, 403 `account_disabled`/`account_pending`. */
  async authenticate(emailAddress: string, password: string): Promise<AccountRow> {
    const account = await this.d.repo.findAccountByEmail(emailAddress);
    if (account === undefined) {
      // Same work as for a known address, so timing does not reveal which addresses exist.
      await verifyPassword(await this.getDummyHash(), password);
      throw this.invalidCredentials();
    }
    if (!(await verifyPassword(account.passwordHash, password))) throw this.invalidCredentials();
    this.checkCanLogIn(account);
    return account;
  }

  /** Starts a session for an active account, ending the one it replaces (rotation at login). */
  async startSession(accountId: string, replacesIdHash?: string): Promise<NewSession> {
    if (replacesIdHash !== undefined) await this.d.repo.deleteSession(replacesIdHash);
    const now = this.now();
    // Logging in is rare enough to sweep expired sessions on the way.
    await this.d.repo.deleteExpiredSessions(isoNow(now));
    const token = newToken();
    const s: NewSession = {
      token,
      idHash: hashToken(token),
      csrfToken: newToken(),
      expiresAt: new Date(now.getTime() + this.d.sessionTtlMs),
    };
    await this.d.repo.insertSession({
      idHash: s.idHash,
      accountId,
      csrfToken: s.csrfToken,
      createdAt: isoNow(now),
      lastSeenAt: isoNow(now),
      expiresAt: isoNow(s.expiresAt),
    });
    return s;
  }

  /**
   * The live session behind a cookie token, with its account; undefined (and the row removed)
   * when it is unknown, expired, or its account is no longer active.
   */
  async resolveSession(
    token: string,
  ): Promise<{ account: AccountRow; idHash: string; csrfToken: string } | undefined> {
    if (token.length < 20 || token.length > 100) return undefined;
    const idHash = hashToken(token);
    const found = await this.d.repo.findSessionWithAccount(idHash);
    if (found === undefined) return undefined;
    const now = this.now();
    if (found.session.expiresAt <= isoNow(now) || found.account.status !== 'active') {
      await this.d.repo.deleteSession(idHash);
      return undefined;
    }
    if (now.getTime() - Date.parse(found.session.lastSeenAt) > TOUCH_INTERVAL_MS)
      await this.d.repo.touchSession(idHash, isoNow(now));
    return { account: found.account, idHash, csrfToken: found.session.csrfToken };
  }

  async endSession(idHash: string): Promise<void> {
    await this.d.repo.deleteSession(idHash);
  }

  // password reset

  /**
   * Emails a one-time link when the address belongs to an account. The caller answers 202
   * either way, so the answer does not reveal which addresses exist.
   */
  async requestPasswordReset(emailAddress: string): Promise<void> {
    const account = await this.d.repo.findAccountByEmail(emailAddress);
    if (account === undefined || account.status === 'disabled') return;
    const token = newToken();
    const now = this.now();
    await this.d.repo.insertPasswordReset({
      tokenHash: hashToken(token),
      accountId: account.id,
      createdAt: isoNow(now),
      expiresAt: isoNow(new Date(now.getTime() + RESET_TTL_MS)),
      usedAt: null,
    });
    const link = `${this.d.publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
    // Not awaited: a slow or failing mail server must not reveal that the address exists.
    this.d.mailer
      .send({
        to: account.email,
        subject: 'Reset your Commonhall password',
        text:
          `Someone asked to reset the password of your Commonhall account.\n\n` +
          `To choose a new password, open this link within an hour:\n${link}\n\n` +
          `If it was not you, ignore this message; your password stays as it is.\n`,
      })
      .catch((err: unknown) => this.d.log.error({ err }, 'could not send the reset mail'));
  }

  /** Sets a new password from a reset link (once, within the hour) and ends every other session. */
  async confirmPasswordReset(token: string, password: string, keepIdHash?: string): Promise<void> {
    const tokenHash = hashToken(token);
    const invalid = () =>
      badRequest('reset_token_invalid', 'This reset link is invalid, used or expired.');
    const reset = await this.d.repo.findPasswordReset(tokenHash);
    const now = isoNow(this.now());
    if (reset === undefined || reset.usedAt !== null || reset.expiresAt <= now) throw invalid();
    this.checkStrength(password);
    const passwordHash = await hashPassword(password, this.d.hashCost);
    await this.d.repo.transaction(async (repo) => {
      if (!(await repo.usePasswordReset(tokenHash, now))) throw invalid();
      await repo.updateAccount(reset.accountId, { passwordHash, updatedAt: now });
      await repo.voidPasswordResetsOf(reset.accountId, now);
      await repo.deleteSessionsOf(reset.accountId, keepIdHash);
    });
  }

  /**
   * Whether a reset link would still set a password (known, unused, within the hour), without
   * using it: the reset page asks before it shows the form.
   */
  async passwordResetUsable(token: string): Promise<boolean> {
    const reset = await this.d.repo.findPasswordReset(hashToken(token));
    return reset !== undefined && reset.usedAt === null && reset.expiresAt > isoNow(this.now());
  }

  // my account

  async account(id: string): Promise<AccountRow> {
    const a = await this.d.repo.findAccountById(id);
    if (a === undefined) throw notFound('account_not_found', 'No such account.');
    return a;
  }

  async updateProfile(
    id: string,
    patch: { name?: string; locale?: string | null },
  ): Promise<AccountRow> {
    const set: Partial<AccountRow> = { updatedAt: isoNow(this.now()) };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.locale !== undefined) set.locale = patch.locale;
    await this.d.repo.updateAccount(id, set);
    return this.account(id);
  }

  /** Changes the password (needs the current one) and ends the account's other sessions. */
  async changePassword(
    id: string,
    currentPassword: string,
    newPassword: string,
    keepIdHash: string,
  ): Promise<void> {
    await this.checkCurrentPassword(id, currentPassword);
    this.checkStrength(newPassword);
    const passwordHash = await hashPassword(newPassword, this.d.hashCost);
    const now = isoNow(this.now());
    await this.d.repo.transaction(async (repo) => {
      await repo.updateAccount(id, { passwordHash, updatedAt: now });
      await repo.voidPasswordResetsOf(id, now);
      await repo.deleteSessionsOf(id, keepIdHash);
    });
  }

  /**
   * Changes the email address (needs the current password); 409 `email_taken` when in use.
   * Reset links sent before the change stop working: they went to the old address, which may
   * be why the address changed.
   */
  async changeEmail(
    id: string,
    currentPassword: string,
    emailAddress: string,
  ): Promise<AccountRow> {
    const account = await this.checkCurrentPassword(id, currentPassword);
    if (account.email === emailAddress) return account;
    if ((await this.d.repo.findAccountByEmail(emailAddress)) !== undefined) throw this.emailTaken();
    const now = isoNow(this.now());
    try {
      await this.d.repo.transaction(async (repo) => {
        await repo.updateAccount(id, { email: emailAddress, updatedAt: now });
        await repo.voidPasswordResetsOf(id, now);
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw this.emailTaken();
      throw err;
    }
    return this.account(id);
  }

  /** Deletes my account (needs the password); the last steward cannot leave. */
  async deleteAccount(id: string, password: string): Promise<void> {
    const account = await this.checkCurrentPassword(id, password);
    await this.d.repo.transaction(async (repo) => {
      if (account.role === 'steward' && (await repo.countStewards(true)) <= 1)
        throw this.lastSteward();
      await repo.deleteAccount(id);
    });
  }

  // administration

  listAccounts(filter: AccountFilter): Promise<{ items: AccountRow[]; total: number }> {
    return this.d.repo.listAccounts(filter);
  }

  /**
   * Finds members for a picker (co-moderators of a space): active accounts by a word of their
   * name, by the start of their e-mail (stewards only) or by their whole e-mail address.
   * Throws `query_too_short` under MEMBER_LOOKUP_MIN_LENGTH characters.
   */
  async lookUpMembers(props: {
    text: string;
    bySteward: boolean;
  }): Promise<Pick<AccountRow, 'id' | 'name' | 'email'>[]> {
    const text = props.text.trim().normalize('NFC');
    if ([...text].length < MEMBER_LOOKUP_MIN_LENGTH) {
      throw badRequest(
        'query_too_short',
        `Type at least ${MEMBER_LOOKUP_MIN_LENGTH} characters to look members up.`,
        { minLength: MEMBER_LOOKUP_MIN_LENGTH },
      );
    }
    return this.d.repo.lookupActiveAccounts(text, {
      emailPrefix: props.bySteward,
      limit: MEMBER_LOOKUP_LIMIT,
    });
  }

  /**
   * A steward changes an account's role or status (approve = pending → active). Disabling ends
   * its sessions at once; the last active steward can be neither demoted nor disabled.
   */
  async administer(
    id: string,
    patch: { role?: Role; status?: AccountStatus },
  ): Promise<AccountRow> {
    await this.d.repo.transaction(async (repo) => {
      const a = await repo.findAccountById(id);
      if (a === undefined) throw notFound('account_not_found', 'No such account.');
      const losesSteward =
        a.role === 'steward' &&
        a.status === 'active' &&
        ((patch.role !== undefined && patch.role !== 'steward') ||
          (patch.status !== undefined && patch.status !== 'active'));
      if (losesSteward && (await repo.countStewards(true)) <= 1) throw this.lastSteward();
      const set: Partial<AccountRow> = { updatedAt: isoNow(this.now()) };
      if (patch.role !== undefined) set.role = patch.role;
      if (patch.status !== undefined) set.status = patch.status;
      await repo.updateAccount(id, set);
      if (patch.status !== undefined && patch.status !== 'active') await repo.deleteSessionsOf(id);
    });
    return this.account(id);
  }

  // invitations

  /** Issues a single-use invitation link that expires after the given days. */
  async createInvitation(
    createdBy: string,
    input: { email?: string; expiresInDays: number },
  ): Promise<{ invitation: InvitationRow; url: string }> {
    const now = this.now();
    const invitation: InvitationRow = {
      id: newId(),
      email: input.email ?? null,
      createdBy,
      createdAt: isoNow(now),
      expiresAt: isoNow(new Date(now.getTime() + input.expiresInDays * DAY_MS)),
      usedAt: null,
      usedBy: null,
    };
    await this.d.repo.insertInvitation(invitation);
    return { invitation, url: this.invitationUrl(invitation.id) };
  }

  async listInvitations(): Promise<{ invitation: InvitationRow; url: string }[]> {
    return (await this.d.repo.listInvitations()).map((invitation) => ({
      invitation,
      url: this.invitationUrl(invitation.id),
    }));
  }

  async revokeInvitation(id: string): Promise<void> {
    if (!(await this.d.repo.deleteInvitation(id)))
      throw notFound('invitation_not_found', 'No such invitation.');
  }

  /** The invitation behind a link when it is genuine, unused and unexpired. */
  async validInvitation(token: string): Promise<InvitationRow | undefined> {
    const [id, mac, ...rest] = token.split('.');
    if (id === undefined || mac === undefined || rest.length > 0) return undefined;
    if (!safeEqual(mac, this.invitationMac(id))) return undefined;
    const inv = await this.d.repo.findInvitation(id);
    if (inv === undefined || inv.usedAt !== null || inv.expiresAt <= isoNow(this.now()))
      return undefined;
    return inv;
  }

  // helpers

  /**
   * The token is `<id>.<HMAC(id)>`: the database holds no secret, yet stewards can list the
   * links again, and a guessed id without the HMAC is worthless.
   */
  private invitationMac(id: string): string {
    return createHmac('sha256', this.d.secret).update(`invitation:${id}`).digest('base64url');
  }

  private invitationUrl(id: string): string {
    const token = `${id}.${this.invitationMac(id)}`;
    return `${this.d.publicUrl}/sign-up?invitation=${encodeURIComponent(token)}`;
  }

  private checkStrength(password: string): void {
    const why = passwordWeakness(password);
    if (why !== undefined) throw weakPassword(why);
  }

  private checkCanLogIn(account: AccountRow): void {
    if (account.status === 'disabled')
      throw forbidden('This account is disabled.', 'account_disabled');
    if (account.status === 'pending')
      throw forbidden('This account awaits approval by a steward.', 'account_pending');
  }

  private async checkCurrentPassword(id: string, password: string): Promise<AccountRow> {
    const account = await this.account(id);
    if (!(await verifyPassword(account.passwordHash, password)))
      throw badRequest('current_password_incorrect', 'The current password is not correct.');
    return account;
  }

  private async insertAccount(
    repo: AuthRepo,
    input: {
      email: string;
      name: string;
      passwordHash: string;
      role: Role;
      status: AccountStatus;
      locale?: string;
    },
  ): Promise<AccountRow> {
    const now = isoNow(this.now());
    const row: AccountRow = {
      id: newId(),
      email: input.email,
      name: input.name,
      passwordHash: input.passwordHash,
      role: input.role,
      status: input.status,
      locale: input.locale ?? null,
      createdAt: now,
      updatedAt: now,
    };
    if ((await repo.findAccountByEmail(row.email)) !== undefined) throw this.emailTaken();
    try {
      await repo.insertAccount(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw this.emailTaken();
      throw err;
    }
    return row;
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'), this.d.hashCost);
    return this.dummyHash;
  }

  private invalidCredentials(): AppError {
    return new AppError(401, 'invalid_credentials', 'The email or password is not correct.');
  }

  private emailTaken(): AppError {
    return conflict('email_taken', 'An account with this email address exists already.');
  }

  private lastSteward(): AppError {
    return conflict('last_steward', 'Commonhall needs at least one active steward.');
  }

  private invitationInvalid(): AppError {
    return badRequest('invitation_invalid', 'This invitation link is invalid, used or expired.');
  }
}
