import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert, Button, EmptyState, Loading, useDocumentTitle } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { handbookApi, hbKeys, type SectionTree } from './api';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';

type Sections = SectionTree['sections'];

/**
 * Stewards set the reading order of each section's pages and move pages between sections: buttons,
 * ↑/↓ on a page's handle (past a section's end into the next one), or the page's section menu.
 */
export function SectionsPage() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const { isSteward } = useSession();
  const client = useQueryClient();
  useDocumentTitle(t('sections.title'));
  const q = useQuery({ queryKey: hbKeys.sections, queryFn: handbookApi.sections });
  const [draft, setDraft] = useState<Sections | null>(null);
  const [announce, setAnnounce] = useState('');
  const sections = draft ?? q.data?.sections ?? [];
  const save = useMutation({
    mutationFn: () =>
      handbookApi.setSections(
        sections.map((s) => ({ slug: s.slug, pages: s.pages.map((p) => ({ slug: p.slug })) })),
      ),
    onSuccess: (tree) => {
      client.setQueryData(hbKeys.sections, tree);
      void client.invalidateQueries({ queryKey: ['handbook'] });
      setDraft(null);
      setAnnounce(t('sections.saved'));
    },
  });
  /** Moves a page to position `to` of section `ti` (the end when `to` is past it). */
  const place = (si: number, pi: number, ti: number, to: number) => {
    const next = sections.map((s) => ({ ...s, pages: s.pages.slice() }));
    const from = next[si]?.pages;
    const into = next[ti]?.pages;
    if (from === undefined || into === undefined) return;
    const [p] = from.splice(pi, 1);
    if (p === undefined) return;
    const at = Math.max(0, Math.min(to, into.length));
    into.splice(at, 0, p);
    setDraft(next);
    setAnnounce(
      ti === si
        ? t('edit.movedTo', { position: at + 1, count: into.length })
        : t('sections.movedToSection', {
            section: next[ti]?.title ?? '',
            position: at + 1,
            count: into.length,
          }),
    );
    requestAnimationFrame(() => document.getElementById(`grip-${p.slug}`)?.focus());
  };
  /** One step up or down; past a section's first or last page into the neighbouring section. */
  const move = (si: number, pi: number, d: number) => {
    const count = sections[si]?.pages.length ?? 0;
    const to = pi + d;
    if (to >= 0 && to < count) place(si, pi, si, to);
    else if (to < 0 && si > 0) place(si, pi, si - 1, sections[si - 1]?.pages.length ?? 0);
    else if (to >= count && si < sections.length - 1) place(si, pi, si + 1, 0);
  };
  const key = (e: KeyboardEvent, si: number, pi: number) => {
    if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
      e.preventDefault();
      move(si, pi, e.key === 'ArrowUp' ? -1 : 1);
    }
  };
  const first = (si: number, pi: number) => pi === 0 && si === 0;
  const last = (si: number, pi: number) =>
    si === sections.length - 1 && pi === (sections[si]?.pages.length ?? 0) - 1;

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
        <p className="visually-hidden" role="status" aria-live="polite">
          {announce}
        </p>
        {q.isPending && <Loading label={t('page.loading')} />}
        {(q.error ?? save.error) !== null && (
          <Alert tone="danger">{errorMessage(q.error ?? save.error)}</Alert>
        )}
        {sections.map((s, si) => (
          <section key={s.slug} className="hb-order" aria-labelledby={`order-${s.slug}`}>
            <h2 id={`order-${s.slug}`}>{s.title}</h2>
            {s.pages.length === 0 && <p className="muted">{t('sections.emptySection')}</p>}
            {s.pages.length > 0 && (
              <ol>
                {s.pages.map((p, pi) => (
                  <li key={p.slug} className="hb-order-row">
                    <button
                      type="button"
                      id={`grip-${p.slug}`}
                      className="hb-grip"
                      aria-label={t('edit.moveHandle', { item: p.title })}
                      aria-describedby="hb-order-help"
                      onKeyDown={(e) => key(e, si, pi)}
                    >
                      <HbIcon name="grip" size={16} />
                    </button>
                    <span className="hb-order-title">{p.title}</span>
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
                    <button
                      type="button"
                      className="icon-btn hb-tool"
                      aria-label={t('sections.moveUp', { page: p.title })}
                      disabled={first(si, pi)}
                      onClick={() => move(si, pi, -1)}
                    >
                      <HbIcon name="up" size={16} />
                    </button>
                    <button
                      type="button"
                      className="icon-btn hb-tool"
                      aria-label={t('sections.moveDown', { page: p.title })}
                      disabled={last(si, pi)}
                      onClick={() => move(si, pi, 1)}
                    >
                      <HbIcon name="down" size={16} />
                    </button>
                  </li>
                ))}
              </ol>
            )}
          </section>
        ))}
        <p id="hb-order-help" className="visually-hidden">
          {t('sections.moveHelp')}
        </p>
      </article>
    </HandbookLayout>
  );
}
