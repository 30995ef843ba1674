import type { Actor } from '@server/http/actor';
import type { Item, PageView } from '@common/api/handbook';
import { cleanJournal, cleanStory, type HandbookService, type Resolved } from './handbook.service';
import { renderItem, slugify, storyLinks } from './handbook.text';

/** Strips what could run from an SVG: event handlers and links that are not http(s), / or #. */
export function safeSvg(svg: string): string {
  return svg
    .replace(/<script[\s\S]*?<\/script>/gi, '')
    .replace(/\son[a-z]+\s*=\s*("[^"]*"|'[^']*')/gi, '')
    .replace(/\s(xlink:)?href\s*=\s*"(?!\/|https?:|#)[^"]*"/gi, '');
}

/** Renders a page for a reader: items as safe HTML, links resolved, backlinks, section place. */
export async function presentPage(
  service: HandbookService,
  actor: Actor,
  resolved: Resolved,
): Promise<PageView> {
  const { page } = resolved;
  const titles = storyLinks(page.story);
  const targets = await service.linkTargets(titles);
  const resolve = (title: string) =>
    targets.get(slugify(title)) ?? { slug: slugify(title), exists: false };
  const rendered: PageView['rendered'] = [];
  for (const item of page.story) {
    if (item.type === 'graphviz') rendered.push(await renderGraphviz(service, page.slug, item));
    else rendered.push({ id: item.id, ...renderItem(item, resolve) });
  }
  const builtIn = resolved.builtIn;
  return {
    slug: page.slug,
    title: page.title,
    version: page.version,
    // An imported story keeps the source's HTML; what is served is sanitised.
    story: cleanStory(page.story),
    journal: cleanJournal(page.journal),
    links: titles.map((t) => ({ title: t, ...resolve(t) })),
    backlinks: builtIn ? [] : await service.backlinks(page),
    keywords: builtIn ? [] : await service.repo.keywordsOf(page.id),
    section: builtIn ? null : await service.placeOfPage(page.id),
    rendered,
    canEdit: !builtIn && (await service.allows(actor, 'edit')),
    ...(resolved.redirectedFrom !== undefined ? { redirectedFrom: resolved.redirectedFrom } : {}),
    updatedAt: page.updatedAt,
    builtIn,
  };
}

async function renderGraphviz(service: HandbookService, here: string, item: Item) {
  if (service.diagrams === undefined) {
    return {
      id: item.id,
      html: '<p class="diagram-unavailable">Diagram not available.</p>',
      supported: true,
    };
  }
  const d = await service.diagrams.renderItem(here, item);
  if (d.svg !== undefined) {
    const note = d.truncated
      ? '<p class="diagram-truncated">This diagram was cut short: it reached a limit.</p>'
      : '';
    return {
      id: item.id,
      html: `<figure class="diagram">${safeSvg(d.svg)}${note}</figure>`,
      supported: true,
    };
  }
  const message = (d.error ?? 'The diagram could not be drawn.').replace(
    /[&<>"']/g,
    (c) => `&#${c.charCodeAt(0)};`,
  );
  return {
    id: item.id,
    html: `<pre class="diagram-error">${message}</pre>`,
    supported: true,
    ...(d.problem !== undefined ? { problem: d.problem } : {}),
  };
}
