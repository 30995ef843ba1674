/**
 * A generated handbook for the benchmark: `count` pages in Federated Wiki's JSON, deterministic
 * (seeded), with ASCII titles so that Federated Wiki's slugs and ours agree.
 *
 * Every page has 3–6 paragraphs with 3–8 `[[links]]` to other pages, Previous/Next lines for its
 * place in a section of 20, and a journal. Page 0, the hub, links to exactly 50 existing pages.
 */
import { type Item } from '@common/api/handbook';

export type GeneratedItem = Item & { text: string };

export interface GeneratedPage {
  slug: string;
  title: string;
  story: GeneratedItem[];
  journal: { type: string; item?: unknown; id?: string; date: number }[];
}

export const HUB_LINKS = 50;

const ADJECTIVES = [
  'Shared',
  'Open',
  'Fair',
  'Careful',
  'Common',
  'Mutual',
  'Gentle',
  'Clear',
  'Steady',
  'Living',
  'Federated',
  'Local',
  'Plural',
  'Quiet',
  'Patient',
  'Generous',
];
const NOUNS = [
  'Protocol',
  'Principle',
  'Practice',
  'Assembly',
  'Circle',
  'Budget',
  'Space',
  'Agreement',
  'Stewardship',
  'Care',
  'Commons',
  'Contribution',
  'Deliberation',
  'Membership',
  'Handbook',
  'Meeting',
];
const WORDS = (
  'members meet in open spaces to decide together how the cooperative shares its resources ' +
  'every circle keeps notes and stewards look after the commons with care and patience ' +
  'contributions are recorded fairly and assemblies deliberate until consent is reached ' +
  'la cooperativa decide en asamblea cómo cuidar los bienes comunes y compartir el trabajo'
).split(' ');

/** A small fast seeded generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Federated Wiki's slug of an ASCII title. */
export function wikiSlug(title: string): string {
  return title
    .replace(/\s/g, '-')
    .replace(/[^A-Za-z0-9-]/g, '')
    .toLowerCase();
}

export function titleOf(index: number): string {
  if (index === 0) return 'Hub Of Fifty Links';
  const adjective = ADJECTIVES[index % ADJECTIVES.length] ?? 'Shared';
  const noun = NOUNS[Math.floor(index / ADJECTIVES.length) % NOUNS.length] ?? 'Protocol';
  return `${adjective} ${noun} ${index}`;
}

/** Generates the handbook. */
export function generateHandbook(count = 5000, seed = 42): GeneratedPage[] {
  const rand = random(seed);
  const pick = <T>(list: T[]): T => list[Math.floor(rand() * list.length)] as T;
  const otherPage = (self: number) => {
    let other = 1 + Math.floor(rand() * (count - 1));
    if (other === self) other = (other % (count - 1)) + 1;
    return other;
  };
  const sentence = (words: number) => Array.from({ length: words }, () => pick(WORDS)).join(' ');
  const baseDate = Date.UTC(2026, 0, 1);

  const pages: GeneratedPage[] = [];
  for (let index = 0; index < count; index++) {
    const title = titleOf(index);
    const slug = wikiSlug(title);
    let links = 3 + Math.floor(rand() * 6);
    if (index === 0) links = HUB_LINKS;
    const paragraphs = index === 0 ? 5 : 3 + Math.floor(rand() * 4);
    const texts = Array.from({ length: paragraphs }, () => sentence(12 + Math.floor(rand() * 20)));
    for (let l = 0; l < links; l++) {
      const at = l % paragraphs;
      // The hub links to pages 1..50 so that all of them exist and each has links of its own.
      const target = index === 0 ? l + 1 : otherPage(index);
      texts[at] = `${texts[at]} see [[${titleOf(target)}]]`;
    }
    const section = Math.floor(index / 20);
    const position = index % 20;
    if (position > 0) texts.unshift(`Previous: [[${titleOf(index - 1)}]]`);
    if (position < 19 && index + 1 < count) texts.push(`Next: [[${titleOf(index + 1)}]]`);
    const story: GeneratedItem[] = texts.map((text, i) => ({
      id: `${(index * 100 + i).toString(16).padStart(16, '0')}`,
      type: 'paragraph',
      text,
    }));
    story.splice(1, 0, {
      id: `${(index * 100 + 99).toString(16).padStart(16, '0')}`,
      type: 'markdown',
      text: `## Section ${section}\n\nPart ${position + 1} of the section.`,
    });
    const date = baseDate + index * 60_000;
    pages.push({
      slug,
      title,
      story,
      journal: [
        { type: 'create', item: { title, story: [] }, date },
        ...story.map((item, i) => ({ type: 'add', id: item.id, item, date: date + i + 1 })),
      ],
    });
  }
  return pages;
}
