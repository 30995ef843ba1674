import { decodeHTML } from 'entities';
import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';
import type { Item } from '@common/api/handbook';

/**
 * Our slug: the title in Unicode normal form C, lower-cased, whitespace → '-', everything that is
 * not a letter, mark, digit or '-' dropped. Catalan, Greek, Arabic and Chinese titles keep their
 * letters (Federated Wiki's slugs drop them, so such titles collide there).
 */
export function slugify(title: string): string {
  const s = title
    .normalize('NFC')
    .toLocaleLowerCase('und')
    .trim()
    .replace(/\s+/gu, '-')
    .replace(/[^\p{L}\p{M}\p{N}-]/gu, '')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');
  return s;
}

/** Federated Wiki's own slug (ASCII letters and digits only), kept as an alias for imported pages. */
export function asciiSlug(title: string): string {
  return title
    .replace(/\s/g, '-')
    .replace(/[^A-Za-z0-9-]/g, '')
    .toLowerCase();
}

/**
 * A circle's name as circles are compared, so "Tech", "tech" and " TECH " are one name: the page
 * slug's case and Unicode rules (normal form C, lower-cased) with runs of whitespace made one
 * space. Punctuation and accents stay significant ("C" and "C++", "Cafe" and "Café" are two
 * circles), unlike slugs and search. A migration (20261128-10) keeps a copy: change both together,
 * with a migration that recomputes the stored keys.
 */
export function circleNameKey(name: string): string {
  return name
    .normalize('NFC')
    .toLocaleLowerCase('und')
    .replace(/\s+/gu, ' ')
    .trim()
    .normalize('NFC');
}

/** Lower-case, accents removed (é → e, ç → c, ß kept): what search matches on. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('und');
}

// Image and video captions carry [[links]] too (Federated Wiki's sitemap counts them).
const linkTypes = new Set(['paragraph', 'markdown', 'html', 'image', 'video']);
const internalLink = /\[\[([^\]\n]{1,200})\]\]/g;

/**
 * The title a `[[…]]` link names, from the text between the brackets as the item holds it. A
 * paragraph's or markdown item's text is the title itself (`[[Mission & vision]]`); an html item's
 * text is HTML, so its tags are dropped and its character references decoded (`[[Mission &amp;
 * vision]]`, as html items are stored sanitised, names "Mission & vision" too). Every reader of
 * links (the link index, rendering, renames) derives titles here, so they agree.
 */
export function linkTitle(itemType: string, inner: string): string {
  return (itemType === 'html' ? decodeHTML(inner.replace(/<[^>]*>/g, '')) : inner).trim();
}

/** The page a reference item points at, by its title (or its slug when it has no title). */
function referenceTitle(item: Item): string | undefined {
  if (item.type !== 'reference') return undefined;
  if (typeof item.title === 'string' && item.title.trim() !== '') return item.title.slice(0, 200);
  return typeof item.slug === 'string' ? item.slug.slice(0, 200) : undefined;
}

/**
 * The `[[Internal Link]]` titles of a story, in order, each once: in paragraph, markdown, html and
 * image caption text, and the page a reference item points at (as Federated Wiki's sitemap
 * counts it: a page of that name here is linked to).
 */
export function storyLinks(story: readonly Item[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const item of story) {
    const ref = referenceTitle(item);
    const found = ref !== undefined ? [ref.trim()] : [];
    if ((ref !== undefined || linkTypes.has(item.type)) && typeof item.text === 'string')
      for (const m of item.text.matchAll(internalLink))
        found.push(linkTitle(item.type, m[1] ?? ''));
    for (const title of found) {
      const slug = slugify(title);
      if (slug === '' || seen.has(slug)) continue;
      seen.add(slug);
      out.push(title);
    }
  }
  return out;
}

const keyword = /(?:^|\s)#(\p{L}[\p{L}\p{N}_-]{0,60})/gu;

/**
 * Keywords are hashtags (`#commoning`) in paragraph and markdown items, lower-cased. The Keywords
 * index lists every keyword with the pages that carry it.
 */
export function storyKeywords(story: readonly Item[]): string[] {
  const out = new Set<string>();
  for (const item of story) {
    if ((item.type !== 'paragraph' && item.type !== 'markdown') || typeof item.text !== 'string')
      continue;
    for (const m of item.text.matchAll(keyword)) out.add((m[1] ?? '').toLocaleLowerCase('und'));
  }
  return [...out].sort();
}

/** The text search indexes: title, then every item's text (html as it is drawn). */
export function searchText(title: string, story: readonly Item[]): string {
  const parts = [title];
  for (const item of story) {
    if (typeof item.text !== 'string') continue;
    // An imported html item keeps the source's markup: what it draws is what is searched.
    parts.push(item.type === 'html' ? sanitize(item.text) : item.text);
  }
  return fold(parts.join('\n'));
}

/** Plain words of an item text, markup of links removed, for synopses and snippets. */
export function plainText(text: string): string {
  return text
    .replace(/\[\[([^\]]+)\]\]/g, '$1')
    .replace(/\[(https?:\/\/\S+)\s+([^\]]+)\]/g, '$2')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * What a reader sees of an item as plain text, for search snippets: link markup removed, and for
 * an html item its tags dropped and character references decoded (so `&amp;` reads `&`). The
 * result is text, to be escaped wherever it becomes HTML.
 */
export function itemPlainText(item: Item): string {
  if (typeof item.text !== 'string') return '';
  return item.type === 'html' ? decodeHTML(plainText(item.text)) : plainText(item.text);
}

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: sanitizeHtml.defaults.allowedTags.concat([
    'img',
    'h1',
    'h2',
    'del',
    'ins',
    'sup',
    'sub',
  ]),
  allowedAttributes: {
    a: ['href', 'title', 'class', 'data-slug'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    '*': ['class'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href', 'src'],
  allowProtocolRelative: false,
};

/** HTML with no script, no event handler and no javascript: URL left. */
export function sanitize(html: string): string {
  return sanitizeHtml(html, sanitizeOptions);
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Decides how a `[[Title]]` link is drawn: to an existing page or to a missing one. */
export type LinkResolver = (title: string) => { slug: string; exists: boolean };

/**
 * The anchor for a link to `title` (the title as linkTitle derives it, never escaped text: the
 * resolver must see "Mission & vision", not "Mission &#38; vision"); everything it writes is
 * escaped here. A title with no letter or digit names no page: `fallback` (HTML) is kept instead.
 */
function internalAnchor(title: string, resolve: LinkResolver, fallback: string): string {
  if (slugify(title) === '') return fallback;
  const target = resolve(title);
  const cls = target.exists ? 'internal' : 'internal missing';
  return `<a class="${cls}" href="/handbook/${encodeURIComponent(target.slug)}" data-slug="${escapeHtml(target.slug)}">${escapeHtml(title)}</a>`;
}

const externalLink = /\[(https?:\/\/[^\s\]]+)\s+([^\]]+)\]/g;
const textLink = /\[\[([^\]\n]{1,200})\]\]|\[(https?:\/\/[^\s\]]+)\s+([^\]]+)\]/g;

/**
 * Plain text (a paragraph, a caption) as HTML: `[[links]]` resolved on the raw text, then every
 * piece escaped, so a title with `&`, `'` or `"` finds its page and no title can inject markup.
 */
function renderTextLinks(text: string, resolve: LinkResolver): string {
  let out = '';
  let pos = 0;
  for (const m of text.matchAll(textLink)) {
    out += escapeHtml(text.slice(pos, m.index));
    const [whole, inner, url, label] = m;
    out +=
      inner !== undefined
        ? internalAnchor(linkTitle('paragraph', inner), resolve, escapeHtml(whole))
        : `<a class="external" href="${escapeHtml(url ?? '')}" rel="nofollow noopener">${escapeHtml(label ?? '')}</a>`;
    pos = m.index + whole.length;
  }
  return out + escapeHtml(text.slice(pos));
}

/** External `[url label]` links in HTML (the label is HTML already). */
function renderExternalLinks(html: string): string {
  return html.replace(
    externalLink,
    (_m, url: string, label: string) =>
      `<a class="external" href="${url}" rel="nofollow noopener">${label}</a>`,
  );
}

/** `[[links]]` in an html item's HTML, each title decoded before it is resolved. */
function renderHtmlLinks(html: string, resolve: LinkResolver): string {
  return renderExternalLinks(
    html.replace(internalLink, (whole, inner: string) =>
      internalAnchor(linkTitle('html', inner), resolve, whole),
    ),
  );
}

const md = new MarkdownIt({ html: false, linkify: true });
// `[[Title]]` as a markdown inline token, so the resolver reads the title as written (markdown-it
// would escape `&` before any later pass saw it). The same pattern as storyLinks, at this spot.
const wikiLinkAt = /\[\[([^\]\n]{1,200})\]\]/y;
md.inline.ruler.before('link', 'wikilink', (state, silent) => {
  wikiLinkAt.lastIndex = state.pos;
  const m = wikiLinkAt.exec(state.src);
  if (m === null || state.pos + m[0].length > state.posMax) return false;
  if (!silent) {
    const token = state.push('wikilink', '', 0);
    token.content = m[1] ?? '';
    token.markup = m[0];
  }
  state.pos += m[0].length;
  return true;
});
md.renderer.rules.wikilink = (tokens, idx, _options, env) => {
  const token = tokens[idx];
  const resolve = (env as { resolve?: LinkResolver }).resolve;
  if (token === undefined || resolve === undefined) return '';
  return internalAnchor(linkTitle('markdown', token.content), resolve, escapeHtml(token.markup));
};

/**
 * One story item as safe HTML for the app. Graphviz items are drawn by the diagram module (the
 * caller passes its SVG); a video is a link to it on its site (nothing is embedded from another
 * origin), a reference a card linking to the remote page; other types are kept and shown by their
 * text (`supported: false`: the app names the type above it).
 */
export function renderItem(
  item: Item,
  resolve: LinkResolver,
): { html: string; supported: boolean } {
  const text = typeof item.text === 'string' ? item.text : '';
  switch (item.type) {
    case 'paragraph':
      return {
        html: sanitize(`<p>${renderTextLinks(text, resolve)}</p>`),
        supported: true,
      };
    case 'markdown':
      // Markdown is rendered with raw HTML off and [[links]] as anchors, then all is sanitised.
      return {
        html: sanitize(renderExternalLinks(md.render(text, { resolve }))),
        supported: true,
      };
    case 'html':
      return { html: sanitize(renderHtmlLinks(text, resolve)), supported: true };
    case 'code':
      return { html: `<pre><code>${escapeHtml(text)}</code></pre>`, supported: true };
    case 'pagefold':
      return { html: `<hr class="pagefold" title="${escapeHtml(text)}">`, supported: true };
    case 'image': {
      const url = typeof item.url === 'string' ? item.url : '';
      return {
        html: sanitize(
          `<figure><img src="${escapeHtml(url)}" alt="${escapeHtml(plainText(text))}"><figcaption>${renderTextLinks(text, resolve)}</figcaption></figure>`,
        ),
        supported: true,
      };
    }
    case 'reference':
      return { html: sanitize(renderReference(item, text, resolve)), supported: true };
    case 'video':
      return { html: sanitize(renderVideo(text, resolve)), supported: true };
    case 'graphviz':
      return { html: '', supported: true };
    default:
      // A Federated Wiki plugin we do not draw (calendar, data, chart …): its text as the source
      // had it, or its other fields when it has none; the app labels it with its type.
      return {
        html: `<div class="fallback"><pre>${escapeHtml(text !== '' ? text : otherFields(item))}</pre></div>`,
        supported: false,
      };
  }
}

/** The fields of an item other than id and type, as readable JSON (at most 2,000 characters). */
function otherFields(item: Item): string {
  const rest: Record<string, unknown> = { ...item };
  delete rest.id;
  delete rest.type;
  delete rest.text;
  if (Object.keys(rest).length === 0) return '';
  const json = JSON.stringify(rest, null, 1);
  return json.length > 2000 ? `${json.slice(0, 1999)}…` : json;
}

/** A reference item as a card: the remote page's title linking to it there, its site, its text. */
function renderReference(item: Item, text: string, resolve: LinkResolver): string {
  const site = typeof item.site === 'string' ? item.site : '';
  const slug = typeof item.slug === 'string' ? item.slug : '';
  const title = typeof item.title === 'string' && item.title !== '' ? item.title : slug;
  const siteOk = /^[a-z0-9.-]+(:\d+)?$/i.test(site);
  const href = siteOk && slug !== '' ? `http://${site}/${encodeURIComponent(slug)}.html` : '#';
  return (
    `<div class="reference-card"><a class="external" href="${escapeHtml(href)}">${escapeHtml(title)}</a>` +
    (siteOk ? ` <span class="reference-site">${escapeHtml(site)}</span>` : '') +
    (text !== '' ? `<p>${renderTextLinks(text, resolve)}</p>` : '') +
    '</div>'
  );
}

/** Where a Federated Wiki video player's key is watched, on the player's own site. */
function videoUrl(player: string, options: string, key: string): string | undefined {
  const k = encodeURIComponent(key);
  switch (player) {
    case 'YOUTUBE':
      return options.toUpperCase() === 'PLAYLIST'
        ? `https://www.youtube.com/playlist?list=${k}`
        : `https://www.youtube.com/watch?v=${k}`;
    case 'VIMEO':
      return `https://vimeo.com/${k}`;
    case 'ARCHIVE':
      return `https://archive.org/details/${k}`;
    case 'TED':
      return `https://www.ted.com/talks/${k}`;
    case 'HTML5':
      return /^https?:\/\//i.test(key) || key.startsWith('/') ? key : undefined;
    default:
      return undefined;
  }
}

/**
 * A video item (wiki-plugin-video's text: a `PLAYER [OPTIONS] KEY` line, START/END lines, the rest
 * a caption) as a link to the video on its site: embedding it would load a third-party origin.
 */
export function renderVideo(text: string, resolve: LinkResolver): string {
  let player = '';
  let options = '';
  let key = '';
  const caption: string[] = [];
  for (const line of text.split(/\r\n?|\n/)) {
    let m: RegExpMatchArray | null;
    if (/^\s*(START|END)\s+[\w:.]+\s*$/.test(line)) continue;
    if ((m = /^\s*([A-Z0-9]{3,})\s+([\w./+-]+)\s*$/.exec(line)) !== null) {
      [player, options, key] = [m[1] ?? '', '', m[2] ?? ''];
    } else if ((m = /^\s*([A-Z0-9]{3,})\s+([A-Z,]+)\s+([\w./+-]+)\s*$/.exec(line)) !== null) {
      [player, options, key] = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
    } else if ((m = /^\s*(HTML5)\s+([A-Za-z0-9]+)\s+(.+?)\s*$/.exec(line)) !== null) {
      [player, options, key] = [m[1] ?? '', m[2] ?? '', m[3] ?? ''];
    } else if (line.trim() !== '') caption.push(line.trim());
  }
  const url = videoUrl(player, options, key);
  const label =
    url === undefined ? `${player} ${key}`.trim() : url.replace(/^https?:\/\/(www\.)?/, '');
  const link =
    url === undefined
      ? `<p class="video-link">${escapeHtml(label)}</p>`
      : `<p class="video-link"><a class="external" href="${escapeHtml(url)}" title="${escapeHtml(`${player} ${key}`)}">▶ ${escapeHtml(label)}</a></p>`;
  const cap = caption.join(' ');
  return `<div class="video">${link}${cap !== '' ? `<p class="caption">${renderTextLinks(cap, resolve)}</p>` : ''}</div>`;
}

/**
 * Escapes plain text (see itemPlainText) and wraps each matching word (accent-insensitive) in
 * <mark>.
 */
export function highlight(plain: string, terms: readonly string[], around = 80): string {
  const folded = fold(plain);
  // Folding can change length (e.g. ligatures); map positions only when lengths agree.
  const safe = folded.length === plain.length ? folded : plain.toLocaleLowerCase('und');
  const ranges: [number, number][] = [];
  for (const term of terms) {
    if (term === '') continue;
    const re = new RegExp(
      `(?<![\\p{L}\\p{N}])${term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\p{L}\\p{N}]*`,
      'gu',
    );
    for (const m of safe.matchAll(re)) ranges.push([m.index, m.index + m[0].length]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const first = ranges[0]?.[0] ?? 0;
  const start = Math.max(0, first - around);
  const end = Math.min(plain.length, first + around * 2);
  let out = start > 0 ? '…' : '';
  let pos = start;
  for (const [a, b] of ranges) {
    if (a < pos || b > end) continue;
    out += escapeHtml(plain.slice(pos, a)) + '<mark>' + escapeHtml(plain.slice(a, b)) + '</mark>';
    pos = b;
  }
  out += escapeHtml(plain.slice(pos, end)) + (end < plain.length ? '…' : '');
  return out;
}
