/**
 * The handbook's shapes, shared by server and app. A page is Federated Wiki's
 * `{title, story: Item[], journal: JournalAction[]}`; items and actions keep any extra field they
 * arrive with (imports from Federated Wiki carry plugin-specific fields we must not drop).
 */
import { z } from 'zod';

/** Item types the handbook understands; anything else is kept and shown as "unsupported item". */
export const knownItemTypes = [
  'paragraph',
  'markdown',
  'html',
  'code',
  'image',
  'pagefold',
  'reference',
  'graphviz',
] as const;
export type KnownItemType = (typeof knownItemTypes)[number];

export const HANDBOOK_TITLE_MAX = 200;
export const HANDBOOK_ITEM_TEXT_MAX = 100_000;
/** A page's story as JSON may not exceed this many bytes. */
export const HANDBOOK_PAGE_MAX_BYTES = 512 * 1024;
/**
 * A page's journal as served (page JSON, the page view) is bounded: at most this many actions
 * after its first, and at most this many bytes of them. Older actions are folded into the first,
 * a `create` of the page as it was then; the whole history stays available through the versions API.
 */
export const HANDBOOK_JOURNAL_SERVED_MAX_ACTIONS = 100;
export const HANDBOOK_JOURNAL_SERVED_MAX_BYTES = 256 * 1024;
/** Uploaded images may not exceed this many bytes. */
export const HANDBOOK_IMAGE_MAX_BYTES = 2 * 1024 * 1024;
export const handbookImageTypes = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;

/**
 * A path segment a URL parser resolves away: `.` or `..`, each dot written plainly or as `%2e`
 * (the WHATWG URL parser, which fetch uses, counts `%2e` as a dot there). In an item's URL it
 * would turn `DELETE …/pages/<slug>/items/..` into `DELETE …/pages/<slug>/`: the page itself.
 */
export const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;

/** True when `s`, put in a URL path as it is, would be resolved away (see DOT_SEGMENT). */
export function isDotSegment(s: string): boolean {
  return DOT_SEGMENT.test(s);
}

const itemIdSchema = z.string().min(1).max(64);

/**
 * A Federated Wiki story item as stored and served: `id`, `type`, usually `text`, plus
 * type-specific fields (image: `url`, `caption`; reference: `site`, `slug`, `title`; graphviz:
 * `dot`, `svg` …). Pages saved before item ids were checked may hold any id of 1–64 characters.
 */
export const storedItemSchema = z.looseObject({
  id: itemIdSchema,
  type: z.string().min(1).max(64),
  text: z.string().max(HANDBOOK_ITEM_TEXT_MAX).optional(),
});
export type Item = z.infer<typeof storedItemSchema>;

/**
 * A story item as clients send it and imports must be: the same, except that its id may not be a
 * dot segment (`.`, `..`, `%2e%2e` …), which no item URL could name (imports rename such ids).
 */
export const itemSchema = storedItemSchema.extend({
  id: itemIdSchema.refine((id) => !isDotSegment(id), {
    message:
      'An item id may not be "." or ".." (nor those dots written as %2e): a URL cannot name it.',
  }),
});

export const journalActionTypes = ['create', 'add', 'edit', 'move', 'remove', 'fork'] as const;
export type JournalActionType = (typeof journalActionTypes)[number];

/**
 * One journal action as Federated Wiki writes it: `date` is milliseconds since the epoch.
 * create carries the initial `item` ({title, story}); add/edit carry `item` (and add `after`);
 * move carries `order`; remove carries `id`; fork carries `site`. We add `author` (a name) and
 * `restoredFrom` (the journal index a restore went back to).
 */
export const journalActionSchema = z.looseObject({
  type: z.string().min(1).max(32),
  date: z.number().optional(),
  id: z.string().optional(),
  item: z.unknown().optional(),
  after: z.string().optional(),
  order: z.array(z.string()).optional(),
  site: z.string().optional(),
  author: z.string().optional(),
});
export type JournalAction = z.infer<typeof journalActionSchema>;

/** A page in Federated Wiki's JSON form (what `GET /<slug>.json` returns and exports carry). */
export const wikiPageSchema = z.looseObject({
  title: z.string().min(1).max(HANDBOOK_TITLE_MAX),
  story: z.array(itemSchema),
  journal: z.array(journalActionSchema).optional(),
});
export type WikiPage = z.infer<typeof wikiPageSchema>;

/** An export: a JSON object keyed by slug, as Federated Wiki's export produces. */
export type WikiExport = Record<string, WikiPage>;

/** One entry of `/system/sitemap.json`. */
export interface SitemapEntry {
  slug: string;
  title: string;
  date: number;
  synopsis: string;
  links?: Record<string, string>;
}

/** Languages a starter handbook is written in (HANDBOOK_STARTER_LANGUAGE picks one). */
export const handbookStarterLanguages = ['en', 'es', 'ca', 'fr', 'de'] as const;
export type HandbookStarterLanguage = (typeof handbookStarterLanguages)[number];

// ---- API (under /api/v1/handbook) ----

export const readAccessValues = ['everyone', 'members'] as const;
export const editPolicyValues = ['members', 'circles', 'stewards'] as const;
export type ReadAccess = (typeof readAccessValues)[number];
export type EditPolicy = (typeof editPolicyValues)[number];

export const handbookSettingsSchema = z.object({
  read: z.enum(readAccessValues),
  edit: z.enum(editPolicyValues),
  /** Circles whose members may edit when `edit` is 'circles'. */
  editCircles: z.array(z.string()),
});
export type HandbookSettings = z.infer<typeof handbookSettingsSchema>;

export const linkViewSchema = z.object({
  title: z.string(),
  slug: z.string(),
  exists: z.boolean(),
});
export type LinkView = z.infer<typeof linkViewSchema>;

/** A page as the API presents it to a reader. */
/** Why a diagram has no picture, when the app says it in the reader's language. */
export const diagramProblemSchema = z.enum(['too_complex']);
export type DiagramProblem = z.infer<typeof diagramProblemSchema>;

export const pageViewSchema = z.object({
  slug: z.string(),
  title: z.string(),
  /** Bumped by every change; item edits send the version they were based on. */
  version: z.number().int(),
  story: z.array(storedItemSchema),
  journal: z.array(journalActionSchema),
  /** Links in the story, resolved (exists = false: a missing page, shown differently). */
  links: z.array(linkViewSchema),
  backlinks: z.array(z.object({ slug: z.string(), title: z.string() })),
  keywords: z.array(z.string()),
  section: z
    .object({
      slug: z.string(),
      title: z.string(),
      previous: z.object({ slug: z.string(), title: z.string() }).nullable(),
      next: z.object({ slug: z.string(), title: z.string() }).nullable(),
      contents: z.array(z.object({ slug: z.string(), title: z.string(), depth: z.number() })),
    })
    .nullable(),
  /** Each story item as safe HTML, in story order (graphviz: the SVG; unknown types: "unsupported"). */
  rendered: z.array(
    z.object({
      id: z.string(),
      html: z.string(),
      supported: z.boolean(),
      /** A graphviz item without a picture for a reason the app says in the reader's language. */
      problem: diagramProblemSchema.optional(),
    }),
  ),
  canEdit: z.boolean(),
  /** Set when the request named an old slug or an alias and was redirected here. */
  redirectedFrom: z.string().optional(),
  updatedAt: z.string(),
  builtIn: z.boolean(),
});
export type PageView = z.infer<typeof pageViewSchema>;

export const createPageBodySchema = z.strictObject({
  title: z.string().trim().min(1).max(HANDBOOK_TITLE_MAX),
  story: z.array(itemSchema).max(2000).optional(),
});

export const addItemBodySchema = z.strictObject({
  item: itemSchema,
  /** Id of the item to insert after; absent → at the top… `null` → at the end. */
  after: z.string().nullable().optional(),
  baseVersion: z.number().int().optional(),
});

export const editItemBodySchema = z.strictObject({
  /** Its id is the URL's (an item saved before ids were checked keeps the id it has). */
  item: storedItemSchema,
  /** The page version the editor started from; a newer change to this item → 409 edit_conflict. */
  baseVersion: z.number().int(),
});

export const moveItemsBodySchema = z.strictObject({
  order: z.array(z.string()).max(2000),
  baseVersion: z.number().int().optional(),
});

export const renamePageBodySchema = z.strictObject({
  title: z.string().trim().min(1).max(HANDBOOK_TITLE_MAX),
});

export const updateLinksBodySchema = z.strictObject({
  /** The old title whose links should now point to this page. */
  from: z.string().trim().min(1).max(HANDBOOK_TITLE_MAX),
});

export const diagramViewSchema = z.object({
  dot: z.string(),
  svg: z.string().optional(),
  error: z.string().optional(),
  problem: diagramProblemSchema.optional(),
  truncated: z.boolean(),
});
export type DiagramView = z.infer<typeof diagramViewSchema>;

export const restoreBodySchema = z.strictObject({ journalIndex: z.number().int().min(0) });

/** Search result with a snippet whose matches are wrapped in `<mark>…</mark>` (everything else escaped). */
export const searchResultSchema = z.object({
  slug: z.string(),
  title: z.string(),
  snippet: z.string(),
});
export type SearchResult = z.infer<typeof searchResultSchema>;

export const sectionNodeSchema = z.object({
  slug: z.string(),
  title: z.string(),
  depth: z.number().int(),
  parent: z.string().nullable(),
  position: z.number().int(),
});

/** Steward sets the whole section tree: each section a top page with its ordered pages. */
export const setSectionsBodySchema = z.strictObject({
  sections: z
    .array(
      z.strictObject({
        slug: z.string().min(1),
        pages: z.array(
          z.strictObject({ slug: z.string().min(1), parent: z.string().nullable().optional() }),
        ),
      }),
    )
    .max(500),
});

/**
 * Put one page into a section (by the slug of the section's head page) at its end, or take it out
 * of every section (`null`). A page already in that section keeps its place.
 */
export const placeInSectionBodySchema = z.strictObject({
  section: z.string().min(1).max(300).nullable(),
});

/** A circle's id: lower-case letters, digits and dashes (the app derives it from the name). */
export const circleIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9-]+$/);

/** Create or update a circle: its name and exactly these member account ids. */
export const putCircleBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  members: z.array(z.string().min(1).max(64)).max(1000),
});

/** A circle as stewards see it (member names null when the account is gone). */
export const circleViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  members: z.array(
    z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() }),
  ),
});
export type CircleView = z.infer<typeof circleViewSchema>;
