import type { Kysely } from 'kysely';
import { isoNow, type DbHandle } from '@server/platform/db';
import type { RenderStore, StoredRender } from './diagram';

type Tables = {
  handbookDiagramRenders: {
    dotHash: string;
    svg: string | null;
    error: string | null;
    problem: string | null;
    timeLimitMs: number;
    renderedAt: string;
  };
};

/** Renders kept at most; past it the oldest are dropped (each costs one render if read again). */
export const MAX_STORED_RENDERS = 5000;

/** Kysely queries of handbook_diagram_renders: the diagram module's {@link RenderStore}. */
export class DiagramStore implements RenderStore {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly max = MAX_STORED_RENDERS,
  ) {}

  static from(handle: DbHandle, max?: number): DiagramStore {
    return new DiagramStore(handle.db.withTables<Tables>(), max);
  }

  async find(key: string): Promise<StoredRender | undefined> {
    const r = await this.db
      .selectFrom('handbookDiagramRenders')
      .select(['svg', 'error', 'problem', 'timeLimitMs'])
      .where('dotHash', '=', key)
      .executeTakeFirst();
    if (r === undefined) return undefined;
    return {
      svg: r.svg,
      error: r.error,
      problem: r.problem === 'too_complex' ? r.problem : null,
      timeLimitMs: Number(r.timeLimitMs),
    };
  }

  /** Keeps a render (replacing one of the same key), then drops the oldest past the maximum. */
  async save(key: string, render: StoredRender): Promise<void> {
    const row = { ...render, renderedAt: isoNow() };
    await this.db
      .insertInto('handbookDiagramRenders')
      .values({ dotHash: key, ...row })
      .onConflict((oc) => oc.column('dotHash').doUpdateSet(row))
      .execute();
    const cut = await this.db
      .selectFrom('handbookDiagramRenders')
      .select('renderedAt')
      .orderBy('renderedAt', 'desc')
      .limit(1)
      .offset(this.max)
      .executeTakeFirst();
    if (cut !== undefined)
      await this.db
        .deleteFrom('handbookDiagramRenders')
        .where('renderedAt', '<=', cut.renderedAt)
        .execute();
  }

  async count(): Promise<number> {
    const r = await this.db
      .selectFrom('handbookDiagramRenders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
