import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  lobbyModes,
  type LobbyMode,
  type PolicySettingKey,
  type SpaceDto,
  type SpaceSettings,
} from '@common/api/spaces';
import {
  Alert,
  Button,
  Card,
  CopyField,
  Dialog,
  Loading,
  PageHeader,
  SelectField,
  TextField,
} from '@app/components';
import { RequireAccount } from '@app/features/auth/RequireAccount';
import { fieldErrors } from '@app/lib/api';
import { useErrorMessage } from '@app/lib/errors';
import { spacesApi, spacesKeys } from './api';
import { CoModeratorPicker } from './components/CoModeratorPicker';
import './spaces.css';

/** The create form: name, address and description; settings come after, on the edit page. */
function CreateForm() {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const client = useQueryClient();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugTouched, setSlugTouched] = useState(false);
  const [description, setDescription] = useState('');
  const seq = useRef(0);
  // Suggest a free address from the name until the person edits it themselves.
  useEffect(() => {
    if (slugTouched || name.trim() === '') return;
    const n = ++seq.current;
    const timer = window.setTimeout(() => {
      spacesApi.suggestSlug(name).then(
        (r) => {
          if (n === seq.current) setSlug(r.slug);
        },
        () => undefined,
      );
    }, 250);
    return () => window.clearTimeout(timer);
  }, [name, slugTouched]);
  const create = useMutation({
    mutationFn: () =>
      spacesApi.create({
        name,
        description,
        ...(slug.trim() !== '' ? { slug: slug.trim() } : {}),
      }),
    onSuccess: async (space) => {
      await client.invalidateQueries({ queryKey: ['spaces'] });
      void navigate(`/spaces/${encodeURIComponent(space.slug)}/edit`, {
        state: { created: true },
      });
    },
  });
  const errs = fieldErrors(create.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <div className="form-page">
      <PageHeader title={t('form.createTitle')} description={t('form.createLead')} />
      <Card>
        <form className="stack" onSubmit={onSubmit} noValidate>
          {create.error && Object.keys(errs).length === 0 && (
            <Alert tone="danger">{errorMessage(create.error)}</Alert>
          )}
          <TextField
            label={t('form.name')}
            value={name}
            required
            maxLength={100}
            autoFocus
            error={errs.name}
            onChange={(e) => setName(e.target.value)}
          />
          <TextField
            label={t('form.slug')}
            hint={t('form.slugHint', { address: `${window.location.origin}/s/${slug || '…'}` })}
            value={slug}
            error={errs.slug}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              setSlugTouched(true);
              setSlug(e.target.value.toLowerCase());
            }}
          />
          <div className="field">
            <label htmlFor="space-description">{t('form.description')}</label>
            <textarea
              id="space-description"
              rows={3}
              maxLength={2000}
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <div className="row-end">
            <Link to="/spaces" className="btn btn-ghost btn-md">
              {t('common:actions.cancel')}
            </Link>
            <Button type="submit" busy={create.isPending} disabled={name.trim() === ''}>
              {t('form.create')}
            </Button>
          </div>
        </form>
      </Card>
    </div>
  );
}

type BoolKey = {
  [K in keyof SpaceSettings]: SpaceSettings[K] extends boolean ? K : never;
}[keyof SpaceSettings];

function Toggle({
  k,
  settings,
  locked,
  onChange,
}: {
  k: BoolKey & PolicySettingKey;
  settings: SpaceSettings;
  locked: PolicySettingKey[];
  onChange: (patch: Partial<SpaceSettings>) => void;
}) {
  const { t } = useTranslation('spaces');
  const isLocked = locked.includes(k);
  return (
    <label className={`setting-toggle${isLocked ? ' is-locked' : ''}`}>
      <input
        type="checkbox"
        checked={settings[k]}
        disabled={isLocked}
        onChange={(e) => onChange({ [k]: e.target.checked })}
      />
      <span>
        <strong>{t(`settings.${k}.label`)}</strong>
        <span className="muted">
          {t(`settings.${k}.hint`)}
          {isLocked && ` ${t('settings.fixedBySite')}`}
        </span>
      </span>
    </label>
  );
}

function EditForm({ space }: { space: SpaceDto }) {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const location = useLocation();
  const client = useQueryClient();
  const created = (location.state as { created?: boolean } | null)?.created === true;
  const [name, setName] = useState(space.name);
  const [slug, setSlug] = useState(space.slug);
  const [description, setDescription] = useState(space.description);
  const [settings, setSettings] = useState<SpaceSettings>(space.settings);
  const [coModerators, setCoModerators] = useState(space.coModerators);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const isOwner = space.myRole === 'owner';
  const patch = (p: Partial<SpaceSettings>) => {
    setSettings((s) => ({ ...s, ...p }));
    save.reset();
  };
  const save = useMutation({
    mutationFn: () =>
      spacesApi.update(space.slug, {
        name,
        description,
        ...(isOwner && slug !== space.slug ? { slug } : {}),
        ...(isOwner ? { coModeratorIds: coModerators.map((c) => c.id) } : {}),
        settings: Object.fromEntries(
          Object.entries(settings).filter(
            ([k]) => !space.lockedSettings.includes(k as PolicySettingKey),
          ),
        ),
      }),
    onSuccess: async (updated) => {
      await client.invalidateQueries({ queryKey: ['spaces'] });
      if (updated.slug !== space.slug) {
        void navigate(`/spaces/${encodeURIComponent(updated.slug)}/edit`, { replace: true });
      }
    },
  });
  const del = useMutation({
    mutationFn: () => spacesApi.remove(space.slug),
    onSuccess: async () => {
      await client.invalidateQueries({ queryKey: ['spaces'] });
      void navigate('/spaces', { replace: true });
    },
  });
  const errs = fieldErrors(save.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const codeField = (k: 'viewerAccessCode' | 'moderatorAccessCode') => (
    <TextField
      label={t(`settings.${k}.label`)}
      hint={t(`settings.${k}.hint`)}
      value={settings[k] ?? ''}
      error={
        errs.settings !== undefined && settings[k] !== null ? t('settings.codeLength') : undefined
      }
      autoComplete="off"
      spellCheck={false}
      maxLength={64}
      onChange={(e) => patch({ [k]: e.target.value === '' ? null : e.target.value })}
    />
  );
  return (
    <div className="form-page">
      <PageHeader
        title={t('form.editTitle', { name: space.name })}
        description={t('form.editLead')}
        actions={
          <Link className="btn btn-primary btn-md" to={`/s/${encodeURIComponent(space.slug)}`}>
            {t('list.join')}
          </Link>
        }
      />
      {created && <Alert tone="success">{t('form.created')}</Alert>}
      <Card title={t('form.invite')} description={t('form.inviteLead')}>
        <CopyField label={t('form.inviteLink')} value={space.url} />
      </Card>
      <form className="stack-lg" onSubmit={onSubmit} noValidate>
        <Card title={t('form.details')}>
          <div className="stack">
            <TextField
              label={t('form.name')}
              value={name}
              maxLength={100}
              error={errs.name}
              onChange={(e) => setName(e.target.value)}
            />
            <TextField
              label={t('form.slug')}
              hint={
                isOwner
                  ? t('form.slugHint', { address: `${window.location.origin}/s/${slug}` })
                  : t('form.slugOwnerOnly')
              }
              value={slug}
              disabled={!isOwner}
              error={errs.slug}
              spellCheck={false}
              onChange={(e) => setSlug(e.target.value.toLowerCase())}
            />
            <div className="field">
              <label htmlFor="space-description">{t('form.description')}</label>
              <textarea
                id="space-description"
                rows={3}
                maxLength={2000}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
              />
            </div>
            <div className="field">
              <span className="field-label">{t('form.coModerators')}</span>
              {coModerators.length === 0 ? (
                <p className="muted small">{t('form.noCoModerators')}</p>
              ) : (
                <ul className="chip-list">
                  {coModerators.map((c) => (
                    <li key={c.id} className="chip">
                      {c.name}
                      {isOwner && (
                        <button
                          type="button"
                          className="chip-remove"
                          aria-label={t('form.removeCoModerator', { name: c.name })}
                          onClick={() => setCoModerators((l) => l.filter((x) => x.id !== c.id))}
                        >
                          ×
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )}
              {!isOwner && <p className="field-hint">{t('form.coModeratorsOwnerOnly')}</p>}
            </div>
            {isOwner && (
              <CoModeratorPicker
                exclude={[space.owner.id, ...coModerators.map((c) => c.id)]}
                onPick={(m) => {
                  setCoModerators((l) => (l.some((x) => x.id === m.id) ? l : [...l, m]));
                  save.reset();
                }}
              />
            )}
          </div>
        </Card>
        <Card title={t('settings.access')} description={t('settings.accessLead')}>
          <div className="stack">
            <div className="grid-2-fields">
              {codeField('viewerAccessCode')}
              {codeField('moderatorAccessCode')}
            </div>
            <SelectField
              label={t('settings.lobby.label')}
              hint={
                space.lockedSettings.includes('lobby')
                  ? t('settings.fixedBySite')
                  : t('settings.lobby.hint')
              }
              value={settings.lobby}
              disabled={space.lockedSettings.includes('lobby')}
              onChange={(e) => patch({ lobby: e.target.value as LobbyMode })}
            >
              {lobbyModes.map((m) => (
                <option key={m} value={m}>
                  {t(`settings.lobby.${m}`)}
                </option>
              ))}
            </SelectField>
            <Toggle
              k="signInRequired"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
          </div>
        </Card>
        <Card title={t('settings.meeting')}>
          <div className="stack">
            <Toggle
              k="anyoneCanStart"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
            <Toggle
              k="everyoneJoinsAsModerator"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
            <Toggle
              k="muteOnJoin"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
            <Toggle
              k="keepChat"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
            <TextField
              label={t('settings.maxParticipants.label')}
              hint={t('settings.maxParticipants.hint')}
              type="number"
              inputMode="numeric"
              min={2}
              max={500}
              value={settings.maxParticipants ?? ''}
              onChange={(e) =>
                patch({ maxParticipants: e.target.value === '' ? null : Number(e.target.value) })
              }
            />
          </div>
        </Card>
        <Card title={t('settings.locks')} description={t('settings.locksLead')}>
          <div className="stack">
            <Toggle
              k="lockCamera"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
            <Toggle
              k="lockMicrophone"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
            <Toggle
              k="lockChat"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
            <Toggle
              k="lockScreenShare"
              settings={settings}
              locked={space.lockedSettings}
              onChange={patch}
            />
          </div>
        </Card>
        <div className="sticky-save">
          {save.error && <Alert tone="danger">{errorMessage(save.error)}</Alert>}
          {save.isSuccess && <Alert tone="success">{t('form.saved')}</Alert>}
          <div className="row-end">
            <Link to="/spaces" className="btn btn-ghost btn-md">
              {t('form.backToList')}
            </Link>
            <Button type="submit" busy={save.isPending}>
              {t('form.save')}
            </Button>
          </div>
        </div>
      </form>
      {isOwner && (
        <Card
          className="card-danger"
          title={t('form.deleteTitle')}
          description={t('form.deleteLead')}
        >
          <Button variant="danger" onClick={() => setConfirmDelete(true)}>
            {t('form.delete')}
          </Button>
        </Card>
      )}
      <Dialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={t('form.deleteConfirmTitle', { name: space.name })}
        footer={
          <>
            <Button variant="ghost" onClick={() => setConfirmDelete(false)}>
              {t('common:actions.cancel')}
            </Button>
            <Button variant="danger" busy={del.isPending} onClick={() => del.mutate()}>
              {t('form.deleteConfirm')}
            </Button>
          </>
        }
      >
        <p>{t('form.deleteConfirmBody')}</p>
        {del.error && <Alert tone="danger">{errorMessage(del.error)}</Alert>}
      </Dialog>
    </div>
  );
}

function Edit() {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const { slug = '' } = useParams();
  const q = useQuery({ queryKey: spacesKeys.one(slug), queryFn: () => spacesApi.get(slug) });
  if (q.error) return <Alert tone="danger">{errorMessage(q.error)}</Alert>;
  if (q.data === undefined) return <Loading label={t('common:status.loading')} />;
  return <EditForm key={q.data.id} space={q.data} />;
}

/** Creates a space. */
export function CreateSpacePage() {
  return (
    <RequireAccount>
      <CreateForm />
    </RequireAccount>
  );
}

/** Edits a space's details and settings; shares its link; deletes it after confirmation. */
export function EditSpacePage() {
  return (
    <RequireAccount>
      <Edit />
    </RequireAccount>
  );
}
