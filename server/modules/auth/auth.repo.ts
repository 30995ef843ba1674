import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '@server/platform/db';

export type Role = 'member' | 'steward';
export type AccountStatus = 'active' | 'pending' | 'disabled';

/** A row of `accounts`, as plain data. */
export interface AccountRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  status: AccountStatus;
  locale: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SessionRow {
  idHash: string;
  accountId: string;
  csrfToken: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
}

export interface PasswordResetRow {
  tokenHash: string;
  accountId: string;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
}

export interface InvitationRow {
  id: string;
  email: string | null;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  usedBy: string | null;
}

interface SettingRow {
  key: string;
  value: string;
  updatedAt: string;
}

// A type alias, not an interface: Kysely needs the implicit index signature.
export type AuthTables = {
  accounts: AccountRow;
  sessions: SessionRow;
  passwordResets: PasswordResetRow;
  invitations: InvitationRow;
  settings: SettingRow;
};

type AuthDb = Kysely<AuthTables> | Transaction<AuthTables>;

/** True for a unique/primary-key violation on SQLite or PostgreSQL. */
export function isUniqueViolation(err: unknown): boolean {
  if (typeof err !== 'object' || err === null || !('code' in err)) return false;
  const code = err.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export interface AccountFilter {
  q?: string;
  role?: Role;
  status?: AccountStatus;
  offset: number;
  limit: number;
}

/** Kysely queries for accounts, sessions, reset links, invitations and auth settings. */
export class AuthRepo {
  private readonly db: Kysely<AuthTables>;

  constructor(
    private readonly root: Db,
    private readonly tx?: Transaction<AuthTables>,
  ) {
    this.db = root.withTables<AuthTables>();
  }

  private get q(): AuthDb {
    return this.tx ?? this.db;
  }

  /** Runs fn in one transaction, with a repo bound to it. */
  transaction<T>(fn: (repo: AuthRepo) => Promise<T>): Promise<T> {
    return this.db.transaction().execute((tx) => fn(new AuthRepo(this.root, tx)));
  }

  // accounts

  findAccountById(id: string): Promise<AccountRow | undefined> {
    return this.q.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findAccountByEmail(email: string): Promise<AccountRow | undefined> {
    return this.q.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
  }

  async insertAccount(row: AccountRow): Promise<void> {
    await this.q.insertInto('accounts').values(row).execute();
  }

  async updateAccount(
    id: string,
    patch: Partial<Omit<AccountRow, 'id' | 'createdAt'>>,
  ): Promise<void> {
    await this.q.updateTable('accounts').set(patch).where('id', '=', id).execute();
  }

  async deleteAccount(id: string): Promise<void> {
    await this.q.deleteFrom('accounts').where('id', '=', id).execute();
  }

  async countStewards(onlyActive = false): Promise<number> {
    let query = this.q
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'steward');
    if (onlyActive) query = query.where('status', '=', 'active');
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async listAccounts(f: AccountFilter): Promise<{ items: AccountRow[]; total: number }> {
    let base = this.q.selectFrom('accounts');
    if (f.q !== undefined && f.q.trim() !== '') {
      // LIKE wildcards in the search text are matched literally.
      const pattern = `%${f.q
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where((eb) =>
        eb.or([
          eb(sql`lower(email)`, 'like', sql`${pattern} escape '\\'`),
          eb(sql`lower(name)`, 'like', sql`${pattern} escape '\\'`),
        ]),
      );
    }
    if (f.role !== undefined) base = base.where('role', '=', f.role);
    if (f.status !== undefined) base = base.where('status', '=', f.status);
    const total = await base
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const items = await base
      .selectAll()
      .orderBy('createdAt', 'asc')
      .orderBy('id', 'asc')
      .offset(f.offset)
      .limit(f.limit)
      .execute();
    return { items, total: Number(total.n) };
  }

  /**
   * Active accounts whose name has a word starting with `text` (case-insensitive: fully on
   * PostgreSQL; on SQLite for ASCII letters, or as typed), or whose e-mail starts with `text`
   * (`emailPrefix`) or equals it. Ordered by name, at most `limit`.
   */
  async lookupActiveAccounts(
    text: string,
    o: { emailPrefix: boolean; limit: number },
  ): Promise<Pick<AccountRow, 'id' | 'name' | 'email'>[]> {
    // LIKE wildcards in the search text are matched literally.
    const esc = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
    const lower = esc(text.toLowerCase());
    const typed = esc(text);
    const like = (column: ReturnType<typeof sql>, pattern: string) =>
      sql<boolean>`${column} like ${pattern} escape '\\'`;
    return this.q
      .selectFrom('accounts')
      .select(['id', 'name', 'email'])
      .where('status', '=', 'active')
      .where((eb) =>
        eb.or([
          like(sql`lower(name)`, `${lower}%`),
          like(sql`lower(name)`, `% ${lower}%`),
          like(sql`name`, `${typed}%`),
          like(sql`name`, `% ${typed}%`),
          o.emailPrefix
            ? like(sql`lower(email)`, `${lower}%`)
            : eb(sql`lower(email)`, '=', text.toLowerCase()),
        ]),
      )
      .orderBy('name', 'asc')
      .orderBy('id', 'asc')
      .limit(o.limit)
      .execute();
  }

  // sessions

  async insertSession(row: SessionRow): Promise<void> {
    await this.q.insertInto('sessions').values(row).execute();
  }

  /** The session and its account in one query (expiry is the caller's to judge). */
  async findSessionWithAccount(
    idHash: string,
  ): Promise<{ session: SessionRow; account: AccountRow } | undefined> {
    const row = await this.q
      .selectFrom('sessions as s')
      .innerJoin('accounts as a', 'a.id', 's.accountId')
      .select([
        's.idHash',
        's.accountId',
        's.csrfToken',
        's.createdAt as sCreatedAt',
        's.lastSeenAt',
        's.expiresAt',
        'a.id',
        'a.email',
        'a.name',
        'a.passwordHash',
        'a.role',
        'a.status',
        'a.locale',
        'a.createdAt',
        'a.updatedAt',
      ])
      .where('s.idHash', '=', idHash)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      session: {
        idHash: row.idHash,
        accountId: row.accountId,
        csrfToken: row.csrfToken,
        createdAt: row.sCreatedAt,
        lastSeenAt: row.lastSeenAt,
        expiresAt: row.expiresAt,
      },
      account: {
        id: row.id,
        email: row.email,
        name: row.name,
        passwordHash: row.passwordHash,
        role: row.role,
        status: row.status,
        locale: row.locale,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      },
    };
  }

  async touchSession(idHash: string, lastSeenAt: string): Promise<void> {
    await this.q.updateTable('sessions').set({ lastSeenAt }).where('idHash', '=', idHash).execute();
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.q.deleteFrom('sessions').where('idHash', '=', idHash).execute();
  }

  /** Ends every session of an account except the one given. */
  async deleteSessionsOf(accountId: string, exceptIdHash?: string): Promise<void> {
    let query = this.q.deleteFrom('sessions').where('accountId', '=', accountId);
    if (exceptIdHash !== undefined) query = query.where('idHash', '!=', exceptIdHash);
    await query.execute();
  }

  async deleteExpiredSessions(now: string): Promise<void> {
    await this.q.deleteFrom('sessions').where('expiresAt', '<=', now).execute();
  }

  // password resets

  async insertPasswordReset(row: PasswordResetRow): Promise<void> {
    await this.q.insertInto('passwordResets').values(row).execute();
  }

  findPasswordReset(tokenHash: string): Promise<PasswordResetRow | undefined> {
    return this.q
      .selectFrom('passwordResets')
      .selectAll()
      .where('tokenHash', '=', tokenHash)
      .executeTakeFirst();
  }

  /** Marks the link used; false when it was already used (a concurrent confirm won). */
  async usePasswordReset(tokenHash: string, usedAt: string): Promise<boolean> {
    const r = await this.q
      .updateTable('passwordResets')
      .set({ usedAt })
      .where('tokenHash', '=', tokenHash)
      .where('usedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Voids every unused link of an account (after a reset or a password change). */
  async voidPasswordResetsOf(accountId: string, usedAt: string): Promise<void> {
    await this.q
      .updateTable('passwordResets')
      .set({ usedAt })
      .where('accountId', '=', accountId)
      .where('usedAt', 'is', null)
      .execute();
  }

  // invitations

  async insertInvitation(row: InvitationRow): Promise<void> {
    await this.q.insertInto('invitations').values(row).execute();
  }

  findInvitation(id: string): Promise<InvitationRow | undefined> {
    return this.q.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listInvitations(): Promise<InvitationRow[]> {
    return this.q
      .selectFrom('invitations')
      .selectAll()
      .orderBy('createdAt', 'desc')
      .orderBy('id', 'asc')
      .limit(500)
      .execute();
  }

  /** Marks an invitation used; false when it was used already. */
  async useInvitation(id: string, usedBy: string, usedAt: string): Promise<boolean> {
    const r = await this.q
      .updateTable('invitations')
      .set({ usedAt, usedBy })
      .where('id', '=', id)
      .where('usedAt', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async deleteInvitation(id: string): Promise<boolean> {
    const r = await this.q.deleteFrom('invitations').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  // settings

  async getSetting(key: string): Promise<unknown> {
    const row = await this.q
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    try {
      return JSON.parse(row.value) as unknown;
    } catch {
      return undefined;
    }
  }

  async putSetting(key: string, value: unknown, updatedAt: string): Promise<void> {
    const text = JSON.stringify(value);
    await this.q
      .insertInto('settings')
      .values({ key, value: text, updatedAt })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: text, updatedAt }))
      .execute();
  }

  /** Inserts a setting only when absent; false when it already existed. */
  async claimSetting(key: string, value: unknown, updatedAt: string): Promise<boolean> {
    const r = await this.q
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updatedAt })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
}
