import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  Alert,
  Button,
  Dialog,
  EmptyState,
  Loading,
  TextField,
  useDocumentTitle,
} from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { handbookApi, hbKeys } from './api';
import { RenameDialog, UpdateLinksDialog, type RenamedLinks } from './components/dialogs';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';
import {
  canIndent,
  canOutdent,
  fitDepths,
  shiftDepth,
  withParents,
  type OrderedSection,
} from './section-order';

/**
 * Stewards shape the handbook's sections: add a section (an existing page or a new one as its
 * head), rename, reorder and delete sections, and set each section's pages in reading order and
 * depth — buttons, or on a page's handle ↑/↓ (past a section's end into the next one) and ←/→
 * (one level up or down). Everything is a draft until "Save order"; renaming a section renames
 * its head page at once (with the offer to update links to it).
 */
export function SectionsPage() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const { isSteward } = useSession();
  const client = useQueryClient();
  useDocumentTitle(t('sections.title'));
  const q = useQuery({ queryKey: hbKeys.sections, queryFn: handbookApi.sections });
  const pagesQ = useQuery({
    queryKey: hbKeys.pages,
    queryFn: handbookApi.listPages,
    enabled: isSteward,
  });
  const [draft, setDraft] = useState<OrderedSection[] | null>(null);
  const [announce, setAnnounce] = useState('');
  const [newTitle, setNewTitle] = useState('');
  const [addError, setAddError] = useState('');
  const [renaming, setRenaming] = useState<{ slug: string; title: string } | null>(null);
  const [renamed, setRenamed] = useState<RenamedLinks | null>(null);
  const [deleting, setDeleting] = useState<OrderedSection | null>(null);
  const sections: OrderedSection[] = draft ?? q.data?.sections ?? [];

  const save = useMutation({
    mutationFn: async () => {
      const out: { slug: string; pages: { slug: string; parent: string | null }[] }[] = [];
      for (const s of sections) {
        const slug = s.isNew === true ? (await handbookApi.createPage(s.title)).page.slug : s.slug;
        out.push({ slug, pages: withParents(fitDepths(s.pages)) });
      }
      return handbookApi.setSections(out);
    },
    onSuccess: (tree) => {
      client.setQueryData(hbKeys.sections, tree);
      void client.invalidateQueries({ queryKey: ['handbook'] });
      setDraft(null);
      setAnnounce(t('sections.saved'));
    },
  });

  const copy = () => sections.map((s) => ({ ...s, pages: s.pages.slice() }));
  const focus = (id: string) => requestAnimationFrame(() => document.getElementById(id)?.focus());

  /** Moves a page to position `to` of section `ti` (the end when `to` is past it), keeping its depth where it can. */
  const place = (si: number, pi: number, ti: number, to: number) => {
    const next = copy();
    const from = next[si];
    const into = next[ti];
    if (from === undefined || into === undefined) return;
    const [p] = from.pages.splice(pi, 1);
    if (p === undefined) return;
    const at = Math.max(0, Math.min(to, into.pages.length));
    into.pages.splice(at, 0, p);
    from.pages = fitDepths(from.pages);
    into.pages = fitDepths(into.pages);
    setDraft(next);
    setAnnounce(
      ti === si
        ? t('edit.movedTo', { position: at + 1, count: into.pages.length })
        : t('sections.movedToSection', {
            section: into.title,
            position: at + 1,
            count: into.pages.length,
          }),
    );
    focus(`grip-${p.slug}`);
  };
  /** One step up or down; past a section's first or last page into the neighbouring section. */
  const move = (si: number, pi: number, d: number) => {
    const count = sections[si]?.pages.length ?? 0;
    const to = pi + d;
    if (to >= 0 && to < count) place(si, pi, si, to);
    else if (to < 0 && si > 0) place(si, pi, si - 1, sections[si - 1]?.pages.length ?? 0);
    else if (to >= count && si < sections.length - 1) place(si, pi, si + 1, 0);
  };
  /** One level deeper (under the page before it) or up, with its own sub-pages. */
  const shift = (si: number, pi: number, by: 1 | -1, refocus: string) => {
    const s = sections[si];
    const p = s?.pages[pi];
    if (s === undefined || p === undefined) return;
    if (by === 1 ? !canIndent(s.pages, pi) : !canOutdent(s.pages, pi)) return;
    const next = copy();
    const pages = shiftDepth(s.pages, pi, by);
    next[si] = { ...s, pages };
    setDraft(next);
    setAnnounce(t('sections.depthNow', { page: p.title, depth: pages[pi]?.depth ?? 1 }));
    focus(refocus);
  };
  const key = (e: KeyboardEvent, si: number, pi: number, slug: string) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      move(si, pi, e.key === 'ArrowUp' ? -1 : 1);
    } else if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      shift(si, pi, e.key === 'ArrowRight' ? 1 : -1, `grip-${slug}`);
    }
  };
  const first = (si: number, pi: number) => pi === 0 && si === 0;
  const last = (si: number, pi: number) =>
    si === sections.length - 1 && pi === (sections[si]?.pages.length ?? 0) - 1;

  const moveSection = (si: number, d: -1 | 1) => {
    const next = copy();
    const [s] = next.splice(si, 1);
    if (s === undefined) return;
    next.splice(si + d, 0, s);
    setDraft(next);
    setAnnounce(
      t('sections.sectionMoved', { section: s.title, position: si + d + 1, count: next.length }),
    );
    focus(`section-${d === -1 ? 'up' : 'down'}-${s.slug}`);
  };
  const removeSection = (s: OrderedSection) => {
    setDraft(sections.filter((x) => x.slug !== s.slug));
    setDeleting(null);
    setAnnounce(t('sections.sectionRemoved', { section: s.title }));
    focus('hb-new-section');
  };
  const addSection = (e: FormEvent) => {
    e.preventDefault();
    const title = newTitle.trim();
    if (title === '') return;
    const lower = title.toLocaleLowerCase();
    const page = pagesQ.data?.pages.find((p) => p.title.toLocaleLowerCase() === lower);
    const inTree = (slug: string) =>
      sections.find((s) => s.slug === slug || s.pages.some((p) => p.slug === slug));
    const taken =
      page !== undefined
        ? inTree(page.slug)
        : sections.find((s) => s.isNew === true && s.title.toLocaleLowerCase() === lower);
    if (taken !== undefined) {
      setAddError(t('sections.alreadyIn', { page: page?.title ?? title, section: taken.title }));
      return;
    }
    const added: OrderedSection =
      page !== undefined
        ? { slug: page.slug, title: page.title, pages: [] }
        : { slug: `new:${title}`, title, pages: [], isNew: true };
    setDraft([...sections, added]);
    setNewTitle('');
    setAddError('');
    setAnnounce(
      t(page !== undefined ? 'sections.sectionAdded' : 'sections.sectionAddedNew', {
        section: added.title,
      }),
    );
  };

  if (!isSteward) {
    return (
      <HandbookLayout>
        <EmptyState icon="shield" title={t('sections.forbidden')} />
      </HandbookLayout>
    );
  }
  return (
    <HandbookLayout>
      <article className="hb-article">
        <header className="hb-head">
          <h1>{t('sections.title')}</h1>
          <div className="hb-actions">
            <Button
              variant="ghost"
              size="sm"
              disabled={draft === null}
              onClick={() => setDraft(null)}
            >
              {t('editor.cancel')}
            </Button>
            <Button
              size="sm"
              disabled={draft === null}
              busy={save.isPending}
              onClick={() => save.mutate()}
            >
              {t('sections.save')}
            </Button>
          </div>
        </header>
        <p className="lead">{t('sections.lead')}</p>
        {draft !== null && <p className="muted small">{t('sections.unsaved')}</p>}
        <p className="visually-hidden" role="status" aria-live="polite">
          {announce}
        </p>
        {q.isPending && <Loading label={t('page.loading')} />}
        {(q.error ?? save.error) !== null && (
          <Alert tone="danger">{errorMessage(q.error ?? save.error)}</Alert>
        )}
        {!q.isPending && sections.length === 0 && (
          <p className="muted">{t('sections.noSections')}</p>
        )}
        {sections.map((s, si) => (
          <section key={s.slug} className="hb-order" aria-labelledby={`order-${s.slug}`}>
            <div className="hb-order-head">
              <h2 id={`order-${s.slug}`}>
                {s.title}
                {s.isNew === true && (
                  <span className="muted small hb-order-new"> {t('sections.newBadge')}</span>
                )}
              </h2>
              <div
                className="hb-order-tools"
                role="group"
                aria-label={t('sections.sectionTools', { section: s.title })}
              >
                <button
                  type="button"
                  className="icon-btn hb-tool"
                  aria-label={t('sections.renameSection', { section: s.title })}
                  title={t('sections.renameSection', { section: s.title })}
                  disabled={s.isNew === true}
                  onClick={() => setRenaming({ slug: s.slug, title: s.title })}
                >
                  <HbIcon name="edit" size={16} />
                </button>
                <button
                  type="button"
                  id={`section-up-${s.slug}`}
                  className="icon-btn hb-tool"
                  aria-label={t('sections.sectionUp', { section: s.title })}
                  title={t('sections.sectionUp', { section: s.title })}
                  disabled={si === 0}
                  onClick={() => moveSection(si, -1)}
                >
                  <HbIcon name="up" size={16} />
                </button>
                <button
                  type="button"
                  id={`section-down-${s.slug}`}
                  className="icon-btn hb-tool"
                  aria-label={t('sections.sectionDown', { section: s.title })}
                  title={t('sections.sectionDown', { section: s.title })}
                  disabled={si === sections.length - 1}
                  onClick={() => moveSection(si, 1)}
                >
                  <HbIcon name="down" size={16} />
                </button>
                <button
                  type="button"
                  className="icon-btn hb-tool"
                  aria-label={t('sections.deleteSection', { section: s.title })}
                  title={t('sections.deleteSection', { section: s.title })}
                  onClick={() => (s.pages.length === 0 ? removeSection(s) : setDeleting(s))}
                >
                  <HbIcon name="trash" size={16} />
                </button>
              </div>
            </div>
            {s.pages.length === 0 && <p className="muted">{t('sections.emptySection')}</p>}
            {s.pages.length > 0 && (
              <ol>
                {s.pages.map((p, pi) => (
                  <li
                    key={p.slug}
                    className="hb-order-row"
                    data-depth={p.depth}
                    style={{ paddingInlineStart: `${0.5 + (p.depth - 1) * 1.5}rem` }}
                  >
                    <button
                      type="button"
                      id={`grip-${p.slug}`}
                      className="hb-grip"
                      aria-label={t('edit.moveHandle', { item: p.title })}
                      aria-describedby="hb-order-help"
                      onKeyDown={(e) => key(e, si, pi, p.slug)}
                    >
                      <HbIcon name="grip" size={16} />
                    </button>
                    <span className="hb-order-title">
                      {p.title}
                      <span className="visually-hidden">
                        {' '}
                        {t('sections.level', { depth: p.depth })}
                      </span>
                    </span>
                    <select
                      className="hb-order-section"
                      aria-label={t('sections.moveTo', { page: p.title })}
                      value={s.slug}
                      onChange={(e) => {
                        const ti = sections.findIndex((x) => x.slug === e.target.value);
                        if (ti >= 0 && ti !== si)
                          place(si, pi, ti, sections[ti]?.pages.length ?? 0);
                      }}
                    >
                      {sections.map((x) => (
                        <option key={x.slug} value={x.slug}>
                          {x.title}
                        </option>
                      ))}
                    </select>
                    <span className="hb-order-buttons">
                      <button
                        type="button"
                        id={`outdent-${p.slug}`}
                        className="icon-btn hb-tool"
                        aria-label={t('sections.outdent', { page: p.title })}
                        title={t('sections.outdent', { page: p.title })}
                        disabled={!canOutdent(s.pages, pi)}
                        onClick={() => shift(si, pi, -1, `outdent-${p.slug}`)}
                      >
                        <HbIcon name="outdent" size={16} />
                      </button>
                      <button
                        type="button"
                        id={`indent-${p.slug}`}
                        className="icon-btn hb-tool"
                        aria-label={t('sections.indent', { page: p.title })}
                        title={t('sections.indent', { page: p.title })}
                        disabled={!canIndent(s.pages, pi)}
                        onClick={() => shift(si, pi, 1, `indent-${p.slug}`)}
                      >
                        <HbIcon name="indent" size={16} />
                      </button>
                      <button
                        type="button"
                        className="icon-btn hb-tool"
                        aria-label={t('sections.moveUp', { page: p.title })}
                        title={t('sections.moveUp', { page: p.title })}
                        disabled={first(si, pi)}
                        onClick={() => move(si, pi, -1)}
                      >
                        <HbIcon name="up" size={16} />
                      </button>
                      <button
                        type="button"
                        className="icon-btn hb-tool"
                        aria-label={t('sections.moveDown', { page: p.title })}
                        title={t('sections.moveDown', { page: p.title })}
                        disabled={last(si, pi)}
                        onClick={() => move(si, pi, 1)}
                      >
                        <HbIcon name="down" size={16} />
                      </button>
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </section>
        ))}
        <form className="hb-new-section" onSubmit={addSection}>
          <TextField
            id="hb-new-section"
            label={t('sections.newSection')}
            hint={t('sections.newSectionHint')}
            value={newTitle}
            list="hb-section-heads"
            autoComplete="off"
            error={addError === '' ? undefined : addError}
            onChange={(e) => {
              setNewTitle(e.target.value);
              setAddError('');
            }}
          />
          <datalist id="hb-section-heads">
            {(pagesQ.data?.pages ?? []).map((p) => (
              <option key={p.slug} value={p.title} />
            ))}
          </datalist>
          <Button type="submit" variant="secondary">
            <HbIcon name="plus" size={16} />
            {t('sections.addSection')}
          </Button>
        </form>
        <p id="hb-order-help" className="visually-hidden">
          {t('sections.moveHelp')}
        </p>
      </article>
      {renaming !== null && (
        <RenameDialog
          open
          page={renaming}
          onClose={() => setRenaming(null)}
          onRenamed={(r) => {
            setRenaming(null);
            if (draft !== null)
              setDraft(
                draft.map((s) =>
                  s.slug === r.oldSlug ? { ...s, slug: r.page.slug, title: r.page.title } : s,
                ),
              );
            setAnnounce(t('sections.renamed', { section: r.page.title }));
            if (r.linkingPages.length > 0)
              setRenamed({
                slug: r.page.slug,
                title: r.page.title,
                oldTitle: r.oldTitle,
                linkingPages: r.linkingPages,
              });
          }}
        />
      )}
      {renamed !== null && <UpdateLinksDialog renamed={renamed} onClose={() => setRenamed(null)} />}
      {deleting !== null && (
        <Dialog
          open
          onClose={() => setDeleting(null)}
          title={t('sections.deleteTitle', { section: deleting.title })}
        >
          <div className="stack">
            <p>{t('sections.deleteBody', { count: deleting.pages.length })}</p>
            <ul className="hb-plain-list">
              {deleting.pages.map((p) => (
                <li key={p.slug}>{p.title}</li>
              ))}
            </ul>
            <p>{t('sections.deleteKeeps', { section: deleting.title })}</p>
            <div className="row-end">
              <Button variant="ghost" onClick={() => setDeleting(null)} autoFocus>
                {t('editor.cancel')}
              </Button>
              <Button variant="danger" onClick={() => removeSection(deleting)}>
                {t('sections.deleteSubmit')}
              </Button>
            </div>
          </div>
        </Dialog>
      )}
    </HandbookLayout>
  );
}
