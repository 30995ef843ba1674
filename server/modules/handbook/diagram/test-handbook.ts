/**
 * Hand-built handbooks for the diagram tests.
 */
import { memoryReader, slugForTitle, type DiagramPage } from './reader';

type ItemInput = { type: string; text?: string; [field: string]: unknown };

/** A page from a title and its items (strings become paragraphs). */
export function page(title: string, ...items: (string | ItemInput)[]): DiagramPage {
  const slug = slugForTitle(title);
  return {
    slug,
    title,
    story: items.map((item, i) =>
      typeof item === 'string'
        ? { id: `${slug}-${i}`, type: 'paragraph', text: item }
        : { ...item, id: `${slug}-${i}` },
    ),
  };
}

/** A memory reader over the pages, counting the page reads it serves. */
export function handbook(...pages: DiagramPage[]) {
  const reader = memoryReader(pages);
  const counted = {
    reads: 0,
    page: async (slug: string) => {
      counted.reads++;
      return reader.page(slug);
    },
    resolve: (titleOrSlug: string) => reader.resolve(titleOrSlug),
    backlinks: (slug: string) => reader.backlinks(slug),
    put: (p: DiagramPage) => reader.put(p),
  };
  return counted;
}

/** The statements of a DOT graph body, without the header, closing brace and URL lines. */
export function statements(dot: string): string[] {
  return dot
    .split('\n')
    .slice(1, -1)
    .filter((line) => !line.includes(' [URL='));
}

/** A complete digraph on `n` nodes with the attributes that make dot search for minutes. */
export function costlyDot(n = 20): string {
  const edges: string[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) edges.push(`n${i} -> n${j}`);
  return `digraph { mclimit=1000; nslimit=1000; searchsize=100000; ${edges.join('; ')} }`;
}
