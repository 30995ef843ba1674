import type { HandbookRepo } from './handbook.repo';

export interface SectionEntry {
  pageId: string;
  slug: string;
  title: string;
  depth: number;
}

/** A section in reading order: its head page first, then its pages depth-first by position. */
export interface Section {
  head: SectionEntry;
  entries: SectionEntry[];
}

/** Every section, in order, each flattened into reading order (what Previous/Next follow). */
export async function loadSections(repo: HandbookRepo): Promise<Section[]> {
  const [sections, members, titles] = await Promise.all([
    repo.sections(),
    repo.sectionPages(),
    repo.titles(),
  ]);
  const byId = new Map(titles.map((t) => [t.id, t]));
  const out: Section[] = [];
  for (const s of sections) {
    const head = byId.get(s.pageId);
    if (head === undefined) continue;
    const headEntry = { pageId: head.id, slug: head.slug, title: head.title, depth: 0 };
    const mine = members.filter((m) => m.sectionId === s.pageId);
    const entries: SectionEntry[] = [headEntry];
    const visit = (parent: string | null, depth: number) => {
      for (const m of mine.filter((x) => x.parentId === parent)) {
        const p = byId.get(m.pageId);
        if (p === undefined || entries.some((e) => e.pageId === p.id)) continue;
        entries.push({ pageId: p.id, slug: p.slug, title: p.title, depth });
        visit(m.pageId, depth + 1);
      }
    };
    visit(null, 1);
    // Pages whose parent is missing still belong to the section, at the end.
    for (const m of mine) {
      const p = byId.get(m.pageId);
      if (p !== undefined && !entries.some((e) => e.pageId === p.id))
        entries.push({ pageId: p.id, slug: p.slug, title: p.title, depth: 1 });
    }
    out.push({ head: headEntry, entries });
  }
  return out;
}

/** The section a page belongs to with its previous and next page there. */
export function placeOf(sections: Section[], pageId: string) {
  for (const s of sections) {
    const i = s.entries.findIndex((e) => e.pageId === pageId);
    if (i < 0) continue;
    const prev = i > 0 ? s.entries[i - 1] : undefined;
    const next = s.entries[i + 1];
    return {
      section: s,
      previous: prev === undefined ? null : { slug: prev.slug, title: prev.title },
      next: next === undefined ? null : { slug: next.slug, title: next.title },
    };
  }
  return undefined;
}
