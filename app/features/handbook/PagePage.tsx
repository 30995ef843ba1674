import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  Alert,
  Badge,
  Button,
  ButtonLink,
  EmptyState,
  Loading,
  useDocumentTitle,
} from '@app/components';
import { ApiError } from '@app/lib/api';
import { useErrorMessage } from '@app/lib/errors';
import {
  handbookApi,
  hbKeys,
  newItemId,
  type ConflictDetails,
  type Item,
  type Page,
  type RenderedItem,
} from './api';
import { DiagramPanel } from './components/DiagramPanel';
import {
  ConflictDialog,
  CreatePageDialog,
  DeletePageDialog,
  RenameDialog,
  SectionDialog,
  UpdateLinksDialog,
  type RenamedLinks,
} from './components/dialogs';
import { EditableStory } from './components/EditableStory';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';
import { ItemEditor } from './components/ItemEditor';
import { StoryItem } from './components/Story';
import { useLinkClicks } from './components/useLinkClicks';

/** A title guessed from a slug, for offering to create a page nobody wrote yet. */
export function titleFromSlug(slug: string): string {
  const words = decodeURIComponent(slug).replace(/-/g, ' ').trim();
  return words.charAt(0).toLocaleUpperCase() + words.slice(1);
}

/** Reads one handbook page; editors can switch it into edit mode. */
export function PagePage() {
  const { slug = '' } = useParams();
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const location = useLocation();
  const [creating, setCreating] = useState<string | null>(null);
  const onMissing = useCallback((title: string) => setCreating(title), []);
  const q = useQuery({
    queryKey: hbKeys.page(slug),
    queryFn: () => handbookApi.getPage(slug),
    retry: false,
  });
  const navigate = useNavigate();
  const startEditing = (location.state as { edit?: boolean } | null)?.edit === true;
  // Carried over from the rename at the old address (its page view is gone by now).
  const renamed = (location.state as { renamed?: RenamedLinks } | null)?.renamed;
  const sectionError = (location.state as { sectionError?: string } | null)?.sectionError;

  let body;
  if (q.isPending) body = <Loading label={t('page.loading')} />;
  else if (q.error instanceof ApiError && q.error.code === 'page_not_found') {
    const title = (location.state as { title?: string } | null)?.title ?? titleFromSlug(slug);
    body = <MissingPage title={title} onCreate={() => setCreating(title)} />;
  } else if (q.error !== null) body = <Alert tone="danger">{errorMessage(q.error)}</Alert>;
  else
    body = (
      <PageBody
        key={q.data.page.slug}
        page={q.data.page}
        onMissing={onMissing}
        startEditing={startEditing}
      />
    );

  return (
    <HandbookLayout section={q.data?.page.section}>
      {sectionError !== undefined && (
        <Alert tone="danger">{t('create.sectionFailed', { reason: sectionError })}</Alert>
      )}
      {body}
      <CreatePageDialog
        open={creating !== null}
        initialTitle={creating ?? ''}
        onClose={() => setCreating(null)}
      />
      {renamed !== undefined && renamed.slug === slug && (
        <UpdateLinksDialog
          renamed={renamed}
          onClose={() => void navigate(location.pathname, { replace: true, state: null })}
        />
      )}
    </HandbookLayout>
  );
}

function MissingPage({ title, onCreate }: { title: string; onCreate: () => void }) {
  const { t } = useTranslation('handbook');
  useDocumentTitle(title);
  return (
    <EmptyState
      icon="handbook"
      title={t('missing.title', { title })}
      action={
        <div className="row hb-center-row">
          <Button icon="check" onClick={onCreate}>
            {t('missing.create')}
          </Button>
          <ButtonLink variant="secondary" to="/handbook">
            {t('side.allSections')}
          </ButtonLink>
        </div>
      }
    >
      <p>{t('missing.body')}</p>
    </EmptyState>
  );
}

type Editing = { id: string; base: number; draft?: Item } | null;

function PageBody({
  page,
  onMissing,
  startEditing,
}: {
  page: Page;
  onMissing: (title: string) => void;
  startEditing: boolean;
}) {
  const { t, i18n } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  useDocumentTitle(page.title);
  const [editMode, setEditMode] = useState(startEditing && page.canEdit);
  const [editing, setEditing] = useState<Editing>(null);
  const [adding, setAdding] = useState<{ after: string; item: Item } | undefined>(
    startEditing && page.canEdit && page.story.length === 0
      ? { after: '', item: { id: newItemId(), type: 'paragraph', text: '' } }
      : undefined,
  );
  const [conflict, setConflict] = useState<ConflictDetails | null>(null);
  const [announce, setAnnounce] = useState('');
  const [showDiagram, setShowDiagram] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [placing, setPlacing] = useState(false);
  const navigate = useNavigate();
  const diagramId = useId();
  const clicks = useLinkClicks(onMissing);

  const rendered = useMemo(() => {
    const m = new Map<string, RenderedItem>();
    for (const r of page.rendered) m.set(r.id, r);
    return m;
  }, [page.rendered]);

  const saved = (p: Page, message: string) => {
    client.setQueryData(hbKeys.page(p.slug), { page: p });
    void client.invalidateQueries({ queryKey: ['handbook'], refetchType: 'none' });
    void client.invalidateQueries({ queryKey: hbKeys.diagram(p.slug) });
    setAnnounce(message);
  };
  const onConflict = (err: unknown): boolean => {
    if (err instanceof ApiError && err.code === 'edit_conflict') {
      setConflict(err.details as ConflictDetails);
      return true;
    }
    return false;
  };

  const edit = useMutation({
    mutationFn: (v: { item: Item; base: number }) =>
      handbookApi.editItem(page.slug, v.item, v.base),
    onSuccess: ({ page: p }) => {
      setEditing(null);
      saved(p, t('edit.saved'));
    },
    onError: (err) => {
      if (onConflict(err)) setEditing(null);
    },
  });
  const add = useMutation({
    mutationFn: (v: { item: Item; after: string | null }) =>
      handbookApi.addItem(page.slug, v.item, v.after, page.version),
    onSuccess: ({ page: p }) => {
      setAdding(undefined);
      setConflict(null);
      saved(p, t('edit.added'));
    },
    onError: (err) => void onConflict(err),
  });
  const move = useMutation({
    mutationFn: (v: { order: string[]; announce: string }) =>
      handbookApi.moveItems(page.slug, v.order, page.version),
    onMutate: (v) => {
      // Show the new order at once; the server's answer replaces it.
      const byId = new Map(page.story.map((i) => [i.id, i]));
      const story = v.order.map((id) => byId.get(id)).filter((i): i is Item => i !== undefined);
      client.setQueryData(hbKeys.page(page.slug), { page: { ...page, story } });
    },
    onSuccess: ({ page: p }, v) => saved(p, v.announce),
    onError: () => void client.invalidateQueries({ queryKey: hbKeys.page(page.slug) }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => handbookApi.removeItem(page.slug, id),
    onSuccess: ({ page: p }) => saved(p, t('edit.removed')),
  });
  const error = edit.error ?? add.error ?? move.error ?? remove.error;
  const shownError =
    error !== null && !(error instanceof ApiError && error.code === 'edit_conflict');

  const section = page.section;
  const updated = new Date(page.updatedAt);

  return (
    <article className="hb-article">
      {section !== null && (
        <p className="hb-crumbs">
          <Link to="/handbook">{t('title')}</Link>
          <span aria-hidden="true"> / </span>
          <Link to={`/handbook/${encodeURIComponent(section.slug)}`}>{section.title}</Link>
        </p>
      )}
      <header className="hb-head">
        <h1>{page.title}</h1>
        <div className="hb-actions" role="toolbar" aria-label={t('page.actions')}>
          <Button
            variant="ghost"
            size="sm"
            aria-expanded={showDiagram}
            aria-controls={diagramId}
            onClick={() => setShowDiagram((s) => !s)}
          >
            <HbIcon name="diagram" size={16} />
            {showDiagram ? t('page.hideDiagram') : t('page.diagram')}
          </Button>
          <Link
            className="btn btn-ghost btn-sm"
            to={`/handbook/${encodeURIComponent(page.slug)}/history`}
          >
            <HbIcon name="history" size={16} />
            {t('page.history')}
          </Link>
          {page.canEdit && (
            <>
              <Button variant="ghost" size="sm" onClick={() => setRenaming(true)}>
                <HbIcon name="rename" size={16} />
                {t('page.rename')}
              </Button>
              <Button
                variant="ghost"
                size="sm"
                aria-haspopup="dialog"
                onClick={() => setPlacing(true)}
              >
                <HbIcon name="section" size={16} />
                {t('page.section')}
              </Button>
              <Button variant="ghost" size="sm" onClick={() => setDeleting(true)}>
                <HbIcon name="trash" size={16} />
                {t('page.delete')}
              </Button>
              <Button
                variant={editMode ? 'primary' : 'secondary'}
                size="sm"
                aria-pressed={editMode}
                onClick={() => {
                  setEditMode((m) => !m);
                  setEditing(null);
                  setAdding(undefined);
                  // What the last edit said ("Item added.") is over once editing is.
                  setAnnounce('');
                }}
              >
                <HbIcon name="edit" size={16} />
                {editMode ? t('page.doneEditing') : t('page.edit')}
              </Button>
            </>
          )}
        </div>
      </header>
      {page.redirectedFrom !== undefined && (
        <Alert tone="info">{t('page.redirected', { from: page.redirectedFrom })}</Alert>
      )}
      {page.builtIn && <Alert tone="info">{t('page.builtIn')}</Alert>}
      <div id={diagramId} hidden={!showDiagram}>
        {showDiagram && <DiagramPanel slug={page.slug} onMissing={onMissing} />}
      </div>
      <p className="visually-hidden" role="status" aria-live="polite">
        {announce}
      </p>
      {shownError && <Alert tone="danger">{errorMessage(error)}</Alert>}

      <div className="hb-story" onClick={clicks}>
        {editMode ? (
          <EditableStory
            story={page.story}
            rendered={rendered}
            editingId={editing?.id ?? null}
            renderEditor={(item) => (
              <ItemEditor
                initial={editing?.draft ?? item}
                isNew={false}
                busy={edit.isPending}
                onSave={(i) => edit.mutate({ item: i, base: editing?.base ?? page.version })}
                onCancel={() => setEditing(null)}
              />
            )}
            addingAfter={adding?.after}
            renderAdder={() =>
              adding && (
                <ItemEditor
                  initial={adding.item}
                  isNew
                  busy={add.isPending}
                  onSave={(i) =>
                    add.mutate({ item: i, after: adding.after === '' ? null : adding.after })
                  }
                  onCancel={() => setAdding(undefined)}
                />
              )
            }
            onEdit={(id) => {
              setAdding(undefined);
              setEditing({ id, base: page.version });
            }}
            onAddAfter={(after) => {
              setEditing(null);
              setAdding({ after, item: { id: newItemId(), type: 'paragraph', text: '' } });
            }}
            onMove={(order, a) => move.mutate({ order, announce: a })}
            onRemove={(item) => {
              if (window.confirm(t('edit.confirmRemove'))) remove.mutate(item.id);
            }}
          />
        ) : page.story.length === 0 ? (
          <p className="muted hb-empty-story">{t('page.empty')}</p>
        ) : (
          page.story.map((item) => (
            <StoryItem key={item.id} item={item} rendered={rendered.get(item.id)} />
          ))
        )}
        {editMode && adding === undefined && (
          <Button
            variant="secondary"
            className="hb-add"
            onClick={() => {
              setEditing(null);
              const last = page.story[page.story.length - 1];
              setAdding({
                after: last?.id ?? '',
                item: { id: newItemId(), type: 'paragraph', text: '' },
              });
            }}
          >
            <HbIcon name="plus" size={16} />
            {t('edit.addItem')}
          </Button>
        )}
      </div>

      {section !== null && (section.previous !== null || section.next !== null) && (
        <nav className="hb-pager" aria-label={t('pager.label')}>
          {section.previous !== null ? (
            <Link
              className="hb-pager-link prev"
              rel="prev"
              to={`/handbook/${encodeURIComponent(section.previous.slug)}`}
            >
              <span className="hb-pager-dir">
                <HbIcon name="arrowLeft" size={14} />
                {t('pager.previous')}
              </span>
              <span className="hb-pager-title">{section.previous.title}</span>
            </Link>
          ) : (
            <span />
          )}
          {section.next !== null && (
            <Link
              className="hb-pager-link next"
              rel="next"
              to={`/handbook/${encodeURIComponent(section.next.slug)}`}
            >
              <span className="hb-pager-dir">
                {t('pager.next')}
                <HbIcon name="arrowRight" size={14} />
              </span>
              <span className="hb-pager-title">{section.next.title}</span>
            </Link>
          )}
        </nav>
      )}

      <footer className="hb-foot">
        {page.keywords.length > 0 && (
          <section className="hb-foot-block" aria-labelledby="hb-keywords">
            <h2 id="hb-keywords">{t('page.keywords')}</h2>
            <ul className="hb-chips">
              {page.keywords.map((k) => (
                <li key={k}>
                  <Link to={`/handbook/-/keywords#kw-${encodeURIComponent(k)}`}>
                    <Badge tone="primary">{k}</Badge>
                  </Link>
                </li>
              ))}
            </ul>
          </section>
        )}
        <section className="hb-foot-block" aria-labelledby="hb-backlinks">
          <h2 id="hb-backlinks">{t('page.linkedFrom')}</h2>
          {page.backlinks.length === 0 ? (
            <p className="muted">{t('page.noBacklinks')}</p>
          ) : (
            <ul className="hb-backlinks">
              {page.backlinks.map((b) => (
                <li key={b.slug}>
                  <Link to={`/handbook/${encodeURIComponent(b.slug)}`}>{b.title}</Link>
                </li>
              ))}
            </ul>
          )}
        </section>
        <p className="muted small hb-updated">
          {t('page.updated', {
            date: updated.toLocaleDateString(i18n.language, { dateStyle: 'long' }),
          })}
        </p>
      </footer>

      <ConflictDialog
        conflict={conflict}
        busy={edit.isPending || add.isPending}
        onClose={() => {
          setConflict(null);
          void client.invalidateQueries({ queryKey: hbKeys.page(page.slug) });
        }}
        onKeepTheirs={() => {
          setConflict(null);
          void client.invalidateQueries({ queryKey: hbKeys.page(page.slug) });
        }}
        onEditMine={() => {
          if (conflict === null) return;
          const c = conflict;
          setConflict(null);
          setEditMode(true);
          if (c.theirs === null)
            setAdding({ after: page.story[page.story.length - 1]?.id ?? '', item: c.yours });
          else setEditing({ id: c.yours.id, base: c.version, draft: c.yours });
          void client.invalidateQueries({ queryKey: hbKeys.page(page.slug) });
        }}
        onKeepMine={() => {
          if (conflict === null) return;
          const c = conflict;
          if (c.theirs === null) add.mutate({ item: c.yours, after: null });
          else
            edit.mutate({ item: c.yours, base: c.version }, { onSuccess: () => setConflict(null) });
        }}
      />
      {renaming && (
        <RenameDialog
          open
          page={page}
          onClose={() => setRenaming(false)}
          onRenamed={(r) => {
            setRenaming(false);
            const links: RenamedLinks = {
              slug: r.page.slug,
              title: r.page.title,
              oldTitle: r.oldTitle,
              linkingPages: r.linkingPages,
            };
            void navigate(`/handbook/${encodeURIComponent(r.page.slug)}`, {
              replace: true,
              state: r.linkingPages.length > 0 ? { renamed: links } : null,
            });
          }}
        />
      )}
      {placing && <SectionDialog page={page} onClose={() => setPlacing(false)} />}
      {deleting && <DeletePageDialog open page={page} onClose={() => setDeleting(false)} />}
    </article>
  );
}
