import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  Alert,
  Button,
  ButtonLink,
  Card,
  Dialog,
  EmptyState,
  Loading,
  TextField,
  useDocumentTitle,
} from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { editPolicyValues, readAccessValues, type HandbookSettings } from '@common/api/handbook';
import { circleIdFor, handbookApi, hbKeys, type CircleView } from './api';
import { HandbookLayout } from './components/HandbookLayout';
import { HbIcon } from './components/HbIcon';

/** Stewards decide who may read and edit the handbook, and manage the circles it can name. */
export function SettingsPage() {
  const { t } = useTranslation('handbook');
  const { isSteward } = useSession();
  useDocumentTitle(t('settings.title'));
  if (!isSteward) {
    return (
      <HandbookLayout>
        <EmptyState icon="shield" title={t('settings.forbidden')} />
      </HandbookLayout>
    );
  }
  return (
    <HandbookLayout>
      <article className="hb-article hb-settings">
        <header className="hb-head">
          <h1>{t('settings.title')}</h1>
          <div className="hb-actions">
            <ButtonLink variant="secondary" size="sm" to="/handbook/-/transfer">
              <HbIcon name="download" size={16} />
              {t('settings.transfer')}
            </ButtonLink>
          </div>
        </header>
        <p className="lead">{t('settings.lead')}</p>
        <AccessPanel />
        <CirclesPanel />
        <DeletedPanel />
      </article>
    </HandbookLayout>
  );
}

function AccessPanel() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const current = useQuery({ queryKey: hbKeys.settings, queryFn: handbookApi.settings });
  const circles = useQuery({ queryKey: hbKeys.circles, queryFn: handbookApi.circles });
  const [draft, setDraft] = useState<HandbookSettings | undefined>();
  useEffect(() => {
    if (current.data !== undefined) {
      const { read, edit, editCircles } = current.data;
      setDraft({ read, edit, editCircles });
    }
  }, [current.data]);
  const save = useMutation({
    mutationFn: (s: HandbookSettings) => handbookApi.putSettings(s),
    onSuccess: () => client.invalidateQueries({ queryKey: ['handbook'] }),
  });
  const change = (next: Partial<HandbookSettings>) => {
    if (draft === undefined) return;
    setDraft({ ...draft, ...next });
    save.reset();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (draft !== undefined) save.mutate(draft);
  };
  const list = circles.data?.circles ?? [];
  const noCircleChosen = draft?.edit === 'circles' && draft.editCircles.length === 0;

  return (
    <Card title={t('settings.access')}>
      {current.error !== null ? (
        <Alert tone="danger">{errorMessage(current.error)}</Alert>
      ) : draft === undefined ? (
        <Loading label={t('page.loading')} />
      ) : (
        <form className="stack" onSubmit={submit}>
          <fieldset className="choice">
            <legend>{t('settings.read.legend')}</legend>
            {readAccessValues.map((v) => (
              <label key={v} className="choice-option">
                <input
                  type="radio"
                  name="hb-read"
                  value={v}
                  checked={draft.read === v}
                  onChange={() => change({ read: v })}
                />
                <span>
                  <strong>{t(`settings.read.${v}.label`)}</strong>
                  <span>{t(`settings.read.${v}.description`)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <fieldset className="choice">
            <legend>{t('settings.edit.legend')}</legend>
            {editPolicyValues.map((v) => (
              <label key={v} className="choice-option">
                <input
                  type="radio"
                  name="hb-edit"
                  value={v}
                  checked={draft.edit === v}
                  onChange={() => change({ edit: v })}
                />
                <span>
                  <strong>{t(`settings.edit.${v}.label`)}</strong>
                  <span>{t(`settings.edit.${v}.description`)}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {draft.edit === 'circles' && (
            <fieldset className="hb-circle-choice">
              <legend>{t('settings.editCircles')}</legend>
              {list.length === 0 ? (
                <p className="muted">{t('settings.noCircles')}</p>
              ) : (
                list.map((c) => (
                  <label key={c.id} className="hb-check">
                    <input
                      type="checkbox"
                      checked={draft.editCircles.includes(c.id)}
                      onChange={(e) =>
                        change({
                          editCircles: e.target.checked
                            ? [...draft.editCircles, c.id]
                            : draft.editCircles.filter((x) => x !== c.id),
                        })
                      }
                    />
                    {c.name}
                  </label>
                ))
              )}
            </fieldset>
          )}
          {noCircleChosen && <Alert tone="warning">{t('settings.noCircleChosen')}</Alert>}
          {save.isSuccess && <Alert tone="success">{t('settings.saved')}</Alert>}
          {save.error !== null && <Alert tone="danger">{errorMessage(save.error)}</Alert>}
          <div>
            <Button type="submit" busy={save.isPending}>
              {t('settings.save')}
            </Button>
          </div>
        </form>
      )}
    </Card>
  );
}

function CirclesPanel() {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const circles = useQuery({ queryKey: hbKeys.circles, queryFn: handbookApi.circles });
  const [name, setName] = useState('');
  const [announce, setAnnounce] = useState('');
  const list = circles.data?.circles ?? [];
  const create = useMutation({
    mutationFn: (n: string) =>
      handbookApi.putCircle(circleIdFor(n, new Set(list.map((c) => c.id))), n, []),
    onSuccess: (_r, n) => {
      setName('');
      setAnnounce(t('circles.created', { circle: n }));
      void client.invalidateQueries({ queryKey: hbKeys.circles });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim() !== '') create.mutate(name.trim());
  };
  return (
    <Card title={t('circles.title')} description={t('circles.lead')}>
      <div className="stack">
        <p className="visually-hidden" role="status" aria-live="polite">
          {announce}
        </p>
        {circles.isPending && <Loading label={t('page.loading')} />}
        {circles.error !== null && <Alert tone="danger">{errorMessage(circles.error)}</Alert>}
        {circles.isSuccess && list.length === 0 && <p className="muted">{t('circles.empty')}</p>}
        {list.map((c) => (
          <CircleCard key={c.id} circle={c} onAnnounce={setAnnounce} />
        ))}
        <form className="hb-circle-new" onSubmit={submit}>
          <TextField
            label={t('circles.newName')}
            value={name}
            maxLength={100}
            onChange={(e) => {
              setName(e.target.value);
              create.reset();
            }}
          />
          <Button type="submit" variant="secondary" busy={create.isPending}>
            <HbIcon name="plus" size={16} />
            {t('circles.create')}
          </Button>
        </form>
        {create.error !== null && <Alert tone="danger">{errorMessage(create.error)}</Alert>}
      </div>
    </Card>
  );
}

function CircleCard({
  circle,
  onAnnounce,
}: {
  circle: CircleView;
  onAnnounce: (message: string) => void;
}) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const headingId = useId();
  const [q, setQ] = useState('');
  const [confirming, setConfirming] = useState(false);
  const memberIds = circle.members.map((m) => m.id);
  const found = useQuery({
    queryKey: ['handbook', 'account-search', q.trim()],
    queryFn: () => handbookApi.findAccounts(q.trim()),
    enabled: q.trim().length >= 2,
  });
  const refresh = () => client.invalidateQueries({ queryKey: ['handbook'] });
  const setMembers = useMutation({
    mutationFn: (v: { members: string[]; message: string }) =>
      handbookApi.putCircle(circle.id, circle.name, v.members),
    onSuccess: (_r, v) => {
      onAnnounce(v.message);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: () => handbookApi.deleteCircle(circle.id),
    onSuccess: () => {
      setConfirming(false);
      onAnnounce(t('circles.deleted', { circle: circle.name }));
      void refresh();
    },
  });
  const candidates = (found.data?.items ?? []).filter((a) => !memberIds.includes(a.id));
  const error = setMembers.error ?? remove.error;

  return (
    <section className="hb-circle" aria-labelledby={headingId}>
      <header className="hb-circle-head">
        <h3 id={headingId}>{circle.name}</h3>
        <button
          type="button"
          className="icon-btn hb-tool"
          aria-label={t('circles.delete', { circle: circle.name })}
          onClick={() => setConfirming(true)}
        >
          <HbIcon name="trash" size={16} />
        </button>
      </header>
      {circle.members.length === 0 ? (
        <p className="muted">{t('circles.noMembers')}</p>
      ) : (
        <ul
          className="hb-circle-members"
          aria-label={t('circles.members', { circle: circle.name })}
        >
          {circle.members.map((m) => {
            const who = m.name ?? t('circles.unknownMember');
            return (
              <li key={m.id}>
                <span>
                  {who}
                  {m.email !== null && <span className="muted small"> · {m.email}</span>}
                </span>
                <button
                  type="button"
                  className="icon-btn hb-tool"
                  aria-label={t('circles.removeMember', { name: who, circle: circle.name })}
                  onClick={() =>
                    setMembers.mutate({
                      members: memberIds.filter((id) => id !== m.id),
                      message: t('circles.removed', { name: who, circle: circle.name }),
                    })
                  }
                >
                  <HbIcon name="trash" size={16} />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <TextField
        type="search"
        label={t('circles.find', { circle: circle.name })}
        hint={t('circles.findHint')}
        value={q}
        maxLength={200}
        onChange={(e) => setQ(e.target.value)}
      />
      {q.trim().length >= 2 && found.isSuccess && (
        <ul className="hb-circle-found">
          {candidates.length === 0 ? (
            <li className="muted">{t('circles.noMatch')}</li>
          ) : (
            candidates.map((a) => (
              <li key={a.id}>
                <span>
                  {a.name} <span className="muted small">· {a.email}</span>
                </span>
                <Button
                  size="sm"
                  variant="secondary"
                  aria-label={t('circles.add', { name: a.name, circle: circle.name })}
                  onClick={() =>
                    setMembers.mutate(
                      {
                        members: [...memberIds, a.id],
                        message: t('circles.added', { name: a.name, circle: circle.name }),
                      },
                      { onSuccess: () => setQ('') },
                    )
                  }
                >
                  <HbIcon name="plus" size={16} />
                  {t('circles.addShort')}
                </Button>
              </li>
            ))
          )}
        </ul>
      )}
      {found.error !== null && <Alert tone="danger">{errorMessage(found.error)}</Alert>}
      {error !== null && <Alert tone="danger">{errorMessage(error)}</Alert>}
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t('circles.confirmTitle')}
      >
        <div className="stack">
          <p>{t('circles.confirmDelete', { circle: circle.name })}</p>
          <div className="row-end">
            <Button variant="ghost" onClick={() => setConfirming(false)} autoFocus>
              {t('editor.cancel')}
            </Button>
            <Button variant="danger" busy={remove.isPending} onClick={() => remove.mutate()}>
              {t('circles.deleteShort')}
            </Button>
          </div>
        </div>
      </Dialog>
    </section>
  );
}

/** Deleted pages, kept with their history; a steward brings one back. */
function DeletedPanel() {
  const { t, i18n } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const client = useQueryClient();
  const deleted = useQuery({ queryKey: hbKeys.deleted, queryFn: handbookApi.deletedPages });
  const restore = useMutation({
    mutationFn: (id: string) => handbookApi.restoreDeleted(id),
    onSuccess: () => client.invalidateQueries({ queryKey: ['handbook'] }),
  });
  const pages = deleted.data?.pages ?? [];
  const back = restore.data?.page;
  return (
    <Card title={t('deleted.title')} description={t('deleted.lead')}>
      <div className="stack">
        {deleted.isPending && <Loading label={t('page.loading')} />}
        {deleted.error !== null && <Alert tone="danger">{errorMessage(deleted.error)}</Alert>}
        {back !== undefined && (
          <Alert tone="success">
            {t('deleted.restored', { title: back.title })}{' '}
            <Link to={`/handbook/${encodeURIComponent(back.slug)}`}>{t('deleted.open')}</Link>
          </Alert>
        )}
        {restore.error !== null && <Alert tone="danger">{errorMessage(restore.error)}</Alert>}
        {deleted.isSuccess && pages.length === 0 && <p className="muted">{t('deleted.empty')}</p>}
        {pages.length > 0 && (
          <ul className="hb-circle-members">
            {pages.map((d) => (
              <li key={d.id}>
                <span>
                  {d.title}{' '}
                  <span className="muted small">
                    ·{' '}
                    {t('deleted.when', {
                      date: new Date(d.deletedAt).toLocaleDateString(i18n.language, {
                        dateStyle: 'medium',
                      }),
                    })}
                  </span>
                </span>
                <Button
                  size="sm"
                  variant="secondary"
                  aria-label={t('deleted.restoreLabel', { title: d.title })}
                  busy={restore.isPending && restore.variables === d.id}
                  onClick={() => restore.mutate(d.id)}
                >
                  <HbIcon name="restore" size={16} />
                  {t('deleted.restore')}
                </Button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </Card>
  );
}
