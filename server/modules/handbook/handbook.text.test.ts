/**
 * `[[Links]]` are resolved on the title as written and escaped after: titles with `&`, `'`, `"`,
 * `<`, `>` and in any script find their page, in paragraphs, markdown, html items, captions and
 * search snippets, and no title can inject markup.
 */
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import type { Item } from '@common/api/handbook';
import {
  highlight,
  itemPlainText,
  linkTitle,
  renderItem,
  slugify,
  storyLinks,
  type LinkResolver,
} from './handbook.text';

/** A resolver that knows these titles' slugs, and records every title it was asked for. */
function resolverOf(titles: readonly string[]) {
  const known = new Set(titles.map(slugify));
  const asked: string[] = [];
  const resolve: LinkResolver = (title) => {
    asked.push(title);
    const slug = slugify(title);
    return { slug, exists: known.has(slug) };
  };
  return { resolve, asked };
}

/** The anchors of rendered HTML, parsed as a browser would. */
function anchors(html: string) {
  const doc = new JSDOM(`<body>${html}</body>`).window.document;
  return [...doc.querySelectorAll('a')].map((a) => ({
    text: a.textContent,
    href: a.getAttribute('href'),
    slug: a.getAttribute('data-slug'),
    missing: a.classList.contains('missing'),
  }));
}

function parsed(html: string) {
  return new JSDOM(`<body>${html}</body>`).window.document.body;
}

// One title with each character that HTML escapes, and titles of every starter language and script.
const titles = [
  'Mission & vision',
  'Principles & protocols',
  'The co-op’s "fair" wage',
  "L'assemblea d'estiu",
  'Charte d’accueil « ouverte » & l’été',
  'Grundsätze & „Regeln“',
  '¿Qué es el procomún?',
  'a < b > c',
  'Αρχές & πρωτόκολλα',
  'قواعد "المجلس"',
  '原则 & 协议',
];

const item = (type: string, text: string, extra: Partial<Item> = {}): Item => ({
  id: 'i1',
  type,
  text,
  ...extra,
});

describe('links to titles with & \' " < > and in any script', () => {
  it.each(titles)('a paragraph links "%s" to its page, escaped once', (title) => {
    const { resolve, asked } = resolverOf([title]);
    const { html } = renderItem(item('paragraph', `See [[${title}]] now.`), resolve);
    expect(asked).toEqual([title]);
    expect(anchors(html)).toEqual([
      {
        text: title,
        href: `/handbook/${encodeURIComponent(slugify(title))}`,
        slug: slugify(title),
        missing: false,
      },
    ]);
    expect(parsed(html).textContent).toBe(`See ${title} now.`);
  });

  it.each(titles)('a markdown item links "%s" to its page', (title) => {
    const { resolve, asked } = resolverOf([title]);
    const { html } = renderItem(item('markdown', `# Head\n\nSee *this*: [[${title}]].`), resolve);
    expect(asked).toEqual([title]);
    expect(anchors(html)).toEqual([
      expect.objectContaining({ text: title, slug: slugify(title), missing: false }),
    ]);
    expect(parsed(html).querySelector('em')?.textContent).toBe('this');
  });

  it.each(titles)('an html item (stored sanitised) links "%s" to its page', (title) => {
    const { resolve, asked } = resolverOf([title]);
    // How an html item is stored: sanitised, so & < > arrive as character references.
    const stored = title.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const { html } = renderItem(item('html', `<p><b>See</b> [[${stored}]]</p>`), resolve);
    expect(asked).toEqual([title]);
    expect(anchors(html)).toEqual([
      expect.objectContaining({ text: title, slug: slugify(title), missing: false }),
    ]);
    expect(storyLinks([item('html', `[[${stored}]]`)])).toEqual([title]);
  });

  it('image captions and reference items resolve the raw title too', () => {
    const { resolve } = resolverOf(['Mission & vision']);
    const image = renderItem(
      item('image', 'Our [[Mission & vision]]', { url: '/api/v1/handbook/images/x' }),
      resolve,
    );
    expect(anchors(image.html)).toEqual([
      expect.objectContaining({ text: 'Mission & vision', missing: false }),
    ]);
    const ref = renderItem(
      item('reference', 'See [[Mission & vision]]', { site: 'wiki.example', slug: 'x' }),
      resolve,
    );
    expect(anchors(ref.html).filter((a) => a.slug !== null)).toEqual([
      expect.objectContaining({ text: 'Mission & vision', missing: false }),
    ]);
  });

  it('a missing page is drawn missing at the slug of the raw title', () => {
    const { resolve } = resolverOf([]);
    const { html } = renderItem(item('paragraph', '[[Mission & vision]]'), resolve);
    expect(anchors(html)).toEqual([
      {
        text: 'Mission & vision',
        href: '/handbook/mission-vision',
        slug: 'mission-vision',
        missing: true,
      },
    ]);
  });

  it('external links keep working around internal ones', () => {
    const { resolve } = resolverOf(['A & B']);
    const { html } = renderItem(
      item('paragraph', 'Go [https://example.org/?a=1&b=2 the "site"] or [[A & B]].'),
      resolve,
    );
    expect(anchors(html)).toEqual([
      { text: 'the "site"', href: 'https://example.org/?a=1&b=2', slug: null, missing: false },
      expect.objectContaining({ text: 'A & B', slug: 'a-b', missing: false }),
    ]);
  });

  it('a title with no letter or digit is left as text, not a link to the handbook root', () => {
    const { resolve, asked } = resolverOf([]);
    const { html } = renderItem(item('paragraph', 'Odd [[&&]] one'), resolve);
    expect(asked).toEqual([]);
    expect(anchors(html)).toEqual([]);
    expect(parsed(html).textContent).toBe('Odd [[&&]] one');
  });

  it('storyLinks and rendering name the same titles, so the link index matches what is drawn', () => {
    const story = [
      item('paragraph', "[[Mission & vision]] and [[L'assemblea d'estiu]]"),
      { ...item('markdown', '[[The co-op’s "fair" wage]]'), id: 'i2' },
      { ...item('html', '<i>[[Principles &amp; protocols]]</i>'), id: 'i3' },
    ];
    const asked: string[] = [];
    for (const i of story)
      renderItem(i, (t) => (asked.push(t), { slug: slugify(t), exists: true }));
    expect(storyLinks(story)).toEqual(asked);
    expect(asked).toEqual([
      'Mission & vision',
      "L'assemblea d'estiu",
      'The co-op’s "fair" wage',
      'Principles & protocols',
    ]);
  });

  it('linkTitle decodes only html items', () => {
    expect(linkTitle('paragraph', ' A &amp; B ')).toBe('A &amp; B');
    expect(linkTitle('html', ' A &amp; <b>B</b> ')).toBe('A & B');
  });
});

describe('no markup through a link title', () => {
  const attacks = ['<img src=x onerror=alert(1)>', 'a" onmouseover="x', "a' onmouseover='x"];

  it.each(['paragraph', 'markdown', 'html', 'image'])('in a %s item', (type) => {
    for (const attack of attacks) {
      const { resolve } = resolverOf([attack]);
      const { html } = renderItem(
        item(type, `[[${attack}]]`, type === 'image' ? { url: '/x.png' } : {}),
        resolve,
      );
      const body = parsed(html);
      for (const el of body.querySelectorAll('*')) {
        for (const attr of el.getAttributeNames()) expect(attr).not.toMatch(/^on/);
      }
      // An html item's own <img> is sanitised markup, not the link title; elsewhere no img at all.
      if (type !== 'html') expect(body.querySelectorAll('img:not([src="/x.png"])')).toHaveLength(0);
      for (const a of body.querySelectorAll('a')) {
        expect(a.getAttributeNames().sort()).toEqual(['class', 'data-slug', 'href']);
        expect(a.getAttribute('data-slug')).toBe(slugify(a.textContent));
      }
    }
  });

  it('the paragraph shows the title as text', () => {
    const { resolve } = resolverOf([]);
    const { html } = renderItem(item('paragraph', '[[<img src=x onerror=alert(1)>]]'), resolve);
    expect(anchors(html)).toEqual([
      expect.objectContaining({ text: '<img src=x onerror=alert(1)>', missing: true }),
    ]);
    const quoted = renderItem(item('paragraph', '[[a" onmouseover="x]]'), resolve).html;
    expect(anchors(quoted)).toEqual([
      expect.objectContaining({ text: 'a" onmouseover="x', slug: 'a-onmouseoverx' }),
    ]);
  });
});

describe('search snippets', () => {
  it('show a linked title with & as written, escaped once', () => {
    const plain = itemPlainText(item('paragraph', 'Read [[Mission & vision]] first.'));
    const snippet = highlight(plain, ['vision']);
    expect(snippet).toBe('Read Mission &#38; <mark>vision</mark> first.');
    expect(parsed(snippet).textContent).toBe('Read Mission & vision first.');
  });

  it('show an html item’s text decoded, its tags gone, then escaped', () => {
    const plain = itemPlainText(
      item('html', '<p>[[Principles &amp; protocols]] &lt;img src=x onerror=alert(1)&gt;</p>'),
    );
    expect(plain).toBe('Principles & protocols <img src=x onerror=alert(1)>');
    const snippet = highlight(plain, ['protocols']);
    expect(parsed(snippet).querySelectorAll('img')).toHaveLength(0);
    expect(parsed(snippet).textContent).toBe(plain);
  });
});
