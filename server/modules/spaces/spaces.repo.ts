import type { Db } from '@server/platform/db';

/** The spaces table, camelCase (CamelCasePlugin maps to snake_case). */
export interface SpaceRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  ownerId: string;
  /** JSON text of StoredSettings. */
  settings: string;
  viewerAccessCode: string | null;
  moderatorAccessCode: string | null;
  createdAt: string;
  updatedAt: string;
}

interface CoModeratorRow {
  spaceId: string;
  accountId: string;
  createdAt: string;
}

export interface ChatRow {
  id: string;
  spaceId: string;
  accountId: string | null;
  authorName: string;
  text: string;
  sentAt: string;
}

/** The columns of the auth module's accounts table that spaces read (names, lookups by email). */
interface AccountsRead {
  id: string;
  email: string;
  name: string;
  status: string;
}

interface SettingsTable {
  key: string;
  value: string;
  updatedAt: string;
}

type Tables = {
  spaces: SpaceRow;
  space_co_moderators: CoModeratorRow;
  space_chat_messages: ChatRow;
  accounts: AccountsRead;
  settings: SettingsTable;
};

export interface AccountRef {
  id: string;
  name: string;
}

export interface SpacesRepo {
  findBySlug(slug: string): Promise<SpaceRow | undefined>;
  findById(id: string): Promise<SpaceRow | undefined>;
  slugExists(slug: string): Promise<boolean>;
  insert(row: SpaceRow): Promise<void>;
  update(id: string, patch: Partial<Omit<SpaceRow, 'id' | 'createdAt'>>): Promise<void>;
  delete(id: string): Promise<void>;
  listOwnedBy(accountId: string): Promise<SpaceRow[]>;
  listCoModeratedBy(accountId: string): Promise<SpaceRow[]>;
  coModerators(spaceId: string): Promise<AccountRef[]>;
  setCoModerators(spaceId: string, accountIds: string[], at: string): Promise<void>;
  accountsByIds(ids: string[]): Promise<AccountRef[]>;
  accountByEmail(email: string): Promise<AccountRef | undefined>;
  getSetting(key: string): Promise<string | undefined>;
  putSetting(key: string, value: string, at: string): Promise<void>;
  insertChat(rows: ChatRow[]): Promise<void>;
  listChat(spaceId: string, limit: number): Promise<ChatRow[]>;
}

/** Kysely queries for spaces; plain objects in and out. */
export function createSpacesRepo(base: Db): SpacesRepo {
  const db = base.withTables<Tables>();
  return {
    findBySlug: (slug) =>
      db.selectFrom('spaces').selectAll().where('slug', '=', slug).executeTakeFirst(),
    findById: (id) => db.selectFrom('spaces').selectAll().where('id', '=', id).executeTakeFirst(),
    slugExists: async (slug) =>
      (await db.selectFrom('spaces').select('id').where('slug', '=', slug).executeTakeFirst()) !==
      undefined,
    insert: async (row) => {
      await db.insertInto('spaces').values(row).execute();
    },
    update: async (id, patch) => {
      await db.updateTable('spaces').set(patch).where('id', '=', id).execute();
    },
    delete: async (id) => {
      await db.deleteFrom('spaces').where('id', '=', id).execute();
    },
    listOwnedBy: (accountId) =>
      db
        .selectFrom('spaces')
        .selectAll()
        .where('ownerId', '=', accountId)
        .orderBy('name')
        .orderBy('id')
        .execute(),
    listCoModeratedBy: (accountId) =>
      db
        .selectFrom('spaces')
        .innerJoin('space_co_moderators as m', 'm.spaceId', 'spaces.id')
        .selectAll('spaces')
        .where('m.accountId', '=', accountId)
        .orderBy('spaces.name')
        .orderBy('spaces.id')
        .execute(),
    coModerators: (spaceId) =>
      db
        .selectFrom('space_co_moderators as m')
        .innerJoin('accounts as a', 'a.id', 'm.accountId')
        .select(['a.id', 'a.name'])
        .where('m.spaceId', '=', spaceId)
        .orderBy('a.name')
        .orderBy('a.id')
        .execute(),
    setCoModerators: async (spaceId, accountIds, at) => {
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('space_co_moderators').where('spaceId', '=', spaceId).execute();
        if (accountIds.length > 0) {
          await tx
            .insertInto('space_co_moderators')
            .values(accountIds.map((accountId) => ({ spaceId, accountId, createdAt: at })))
            .execute();
        }
      });
    },
    accountsByIds: async (ids) =>
      ids.length === 0
        ? []
        : db
            .selectFrom('accounts')
            .select(['id', 'name'])
            .where('id', 'in', ids)
            .where('status', '=', 'active')
            .execute(),
    accountByEmail: (email) =>
      db
        .selectFrom('accounts')
        .select(['id', 'name'])
        .where('email', '=', email.trim().toLowerCase())
        .executeTakeFirst(),
    getSetting: async (key) =>
      (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())
        ?.value,
    putSetting: async (key, value, at) => {
      await db
        .insertInto('settings')
        .values({ key, value, updatedAt: at })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updatedAt: at }))
        .execute();
    },
    insertChat: async (rows) => {
      // Chunks keep each statement under SQLite's variable limit.
      for (let i = 0; i < rows.length; i += 100) {
        await db
          .insertInto('space_chat_messages')
          .values(rows.slice(i, i + 100))
          .execute();
      }
    },
    listChat: async (spaceId, limit) =>
      (
        await db
          .selectFrom('space_chat_messages')
          .selectAll()
          .where('spaceId', '=', spaceId)
          .orderBy('sentAt', 'desc')
          .orderBy('id', 'desc')
          .limit(limit)
          .execute()
      ).reverse(),
  };
}
