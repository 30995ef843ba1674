import type { TFunction } from 'i18next';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import type { AccountDto } from '@common/api/auth';
import { isLocale, localeNames, locales, type Locale } from '@common/i18n/locales';
import { PASSWORD_MIN_LENGTH } from '@common/limits';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  PageHeader,
  SelectField,
  TextField,
} from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { setLocale } from '@app/lib/i18n';
import { useSession } from '@app/lib/session';
import { authApi } from './api';
import { PasswordField } from './PasswordField';
import { RequireAccount } from './RequireAccount';
import { checkFields, isClean, serverFieldErrors, type FieldErrors } from './validation';

/**
 * What the last submit came to, kept untranslated (a key, or the error) and put into words when
 * shown: saving a new language must answer in that language, not the one the form was sent in.
 */
type Outcome = { tone: 'success'; say: Saying } | { tone: 'danger'; error: unknown } | undefined;
/** A sentence, put into words with the `t` of the moment it is shown. */
type Saying = (t: TFunction) => string;

function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();
  const run = async (
    action: () => Promise<Saying | undefined>,
    onError?: (err: unknown) => void,
  ) => {
    setBusy(true);
    setOutcome(undefined);
    try {
      const done = await action();
      if (done !== undefined) setOutcome({ tone: 'success', say: done });
    } catch (err) {
      onError?.(err);
      setOutcome({ tone: 'danger', error: err });
    } finally {
      setBusy(false);
    }
  };
  return { busy, outcome, run };
}

function OutcomeAlert({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation('auth');
  const errorMessage = useErrorMessage();
  if (outcome === undefined) return null;
  return (
    <Alert tone={outcome.tone}>
      {outcome.tone === 'success' ? outcome.say(t) : errorMessage(outcome.error)}
    </Alert>
  );
}

function ProfileCard({ account }: { account: AccountDto }) {
  const { t } = useTranslation('auth');
  const { refresh } = useSession();
  const [name, setName] = useState(account.name);
  const [locale, setLocaleValue] = useState<Locale | ''>(account.locale ?? '');
  const [errors, setErrors] = useState<FieldErrors>({});
  const { busy, outcome, run } = useSubmit();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const found = checkFields(t, { name });
    setErrors(found);
    if (!isClean(found)) return;
    void run(async () => {
      await authApi.updateMe({ name, locale: locale === '' ? null : locale });
      if (locale !== '') await setLocale(locale);
      await refresh();
      return (t) => t('account.profile.saved');
    });
  };
  return (
    <Card title={t('account.profile.title')} description={t('account.profile.lead')}>
      <form className="stack" onSubmit={onSubmit} noValidate>
        <OutcomeAlert outcome={outcome} />
        <TextField
          label={t('fields.name')}
          autoComplete="name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <SelectField
          label={t('account.profile.language')}
          hint={t('account.profile.languageHint')}
          value={locale}
          onChange={(e) => setLocaleValue(isLocale(e.target.value) ? e.target.value : '')}
        >
          <option value="">{t('account.profile.languageBrowser')}</option>
          {locales.map((l) => (
            <option key={l} value={l} lang={l}>
              {localeNames[l]}
            </option>
          ))}
        </SelectField>
        <div>
          <Button type="submit" busy={busy}>
            {t('account.profile.submit')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function EmailCard({ account }: { account: AccountDto }) {
  const { t } = useTranslation('auth');
  const { refresh } = useSession();
  const [email, setEmail] = useState('');
  const [current, setCurrent] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const { busy, outcome, run } = useSubmit();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const found = checkFields(t, { email, current });
    setErrors(found);
    if (!isClean(found)) return;
    void run(
      async () => {
        await authApi.changeEmail({ email, currentPassword: current });
        await refresh();
        setEmail('');
        setCurrent('');
        return (t) => t('account.email.saved');
      },
      (err) => setErrors(serverFieldErrors(t, err, { currentPassword: 'current' })),
    );
  };
  return (
    <Card
      title={t('account.email.title')}
      description={t('account.email.lead', { email: account.email })}
    >
      <form className="stack" onSubmit={onSubmit} noValidate>
        <OutcomeAlert outcome={outcome} />
        <TextField
          label={t('account.email.new')}
          type="email"
          autoComplete="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={errors.email}
        />
        <PasswordField
          label={t('fields.currentPassword')}
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={errors.current}
        />
        <div>
          <Button type="submit" variant="secondary" busy={busy}>
            {t('account.email.submit')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function PasswordCard() {
  const { t } = useTranslation('auth');
  const [current, setCurrent] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const { busy, outcome, run } = useSubmit();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const found = checkFields(t, { current, password, confirm });
    setErrors(found);
    if (!isClean(found)) return;
    void run(
      async () => {
        await authApi.changePassword({ currentPassword: current, newPassword: password });
        setCurrent('');
        setPassword('');
        setConfirm('');
        return (t) => t('account.password.saved');
      },
      (err) =>
        setErrors(
          serverFieldErrors(t, err, { currentPassword: 'current', newPassword: 'password' }),
        ),
    );
  };
  return (
    <Card title={t('account.password.title')} description={t('account.password.lead')}>
      <form className="stack" onSubmit={onSubmit} noValidate>
        <OutcomeAlert outcome={outcome} />
        <PasswordField
          label={t('fields.currentPassword')}
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={errors.current}
        />
        <PasswordField
          label={t('fields.newPassword')}
          hint={t('fields.passwordHint', { min: PASSWORD_MIN_LENGTH })}
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={errors.password}
        />
        <PasswordField
          label={t('fields.confirmPassword')}
          autoComplete="new-password"
          value={confirm}
          onChange={(e) => setConfirm(e.target.value)}
          error={errors.confirm}
        />
        <div>
          <Button type="submit" variant="secondary" busy={busy}>
            {t('account.password.submit')}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function DeleteCard() {
  const { t } = useTranslation('auth');
  const { refresh } = useSession();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const { busy, outcome, run } = useSubmit();
  const onConfirm = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      await authApi.deleteMe({ password });
      setOpen(false);
      // Leave the members-only page before the session turns guest (see AccountMenu).
      await navigate('/', { replace: true });
      await refresh();
      return undefined;
    });
  };
  return (
    <Card
      className="card-danger"
      title={t('account.delete.title')}
      description={t('account.delete.lead')}
    >
      <Button variant="danger" onClick={() => setOpen(true)}>
        {t('account.delete.open')}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={t('account.delete.confirmTitle')}>
        <form className="stack" onSubmit={onConfirm} noValidate>
          <p>{t('account.delete.confirmBody')}</p>
          <OutcomeAlert outcome={outcome} />
          <PasswordField
            label={t('fields.currentPassword')}
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <div className="row row-end">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              {t('common:actions.cancel')}
            </Button>
            <Button type="submit" variant="danger" busy={busy} disabled={password === ''}>
              {t('account.delete.confirm')}
            </Button>
          </div>
        </form>
      </Dialog>
    </Card>
  );
}

function AccountSettings() {
  const { t } = useTranslation('auth');
  const { account } = useSession();
  if (account === null) return null;
  return (
    <>
      <PageHeader
        title={t('account.title')}
        description={t('account.lead')}
        actions={
          <Badge tone={account.role === 'steward' ? 'primary' : 'neutral'}>
            {t(`roles.${account.role}`)}
          </Badge>
        }
      />
      <div className="grid-2">
        <div>
          <ProfileCard account={account} />
          <PasswordCard />
        </div>
        <div>
          <EmailCard account={account} />
          <DeleteCard />
        </div>
      </div>
    </>
  );
}

/** Name, language, email, password, and deleting the account. */
export function AccountPage() {
  return (
    <RequireAccount>
      <AccountSettings />
    </RequireAccount>
  );
}
