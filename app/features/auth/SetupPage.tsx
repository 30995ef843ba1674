import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { PASSWORD_MIN_LENGTH } from '@common/limits';
import { Alert, Button, Card, Narrow, PageHeader, TextField } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { currentLocale } from '@app/lib/i18n';
import { useSession } from '@app/lib/session';
import { authApi } from './api';
import { PasswordField } from './PasswordField';
import { checkFields, isClean, serverFieldErrors, type FieldErrors } from './validation';

/** Creates the first steward of a fresh hall; shown only while no steward exists. */
export function SetupPage() {
  const { t } = useTranslation('auth');
  const { session, refresh } = useSession();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  if (session !== undefined && !session.setupRequired && !busy) return <Navigate to="/" replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    const found = checkFields(t, { name, email, password });
    setErrors(found);
    if (!isClean(found)) return;
    setBusy(true);
    try {
      await authApi.setup({ name, email, password, locale: currentLocale() });
      await refresh();
      void navigate('/admin', { replace: true });
    } catch (err) {
      setErrors(serverFieldErrors(t, err));
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Narrow>
      <PageHeader title={t('setup.title')} description={t('setup.lead')} />
      <Card>
        <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
          {failure && <Alert tone="danger">{failure}</Alert>}
          <TextField
            label={t('fields.name')}
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={errors.name}
            required
          />
          <TextField
            label={t('fields.email')}
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={errors.email}
            required
          />
          <PasswordField
            label={t('fields.password')}
            hint={t('fields.passwordHint', { min: PASSWORD_MIN_LENGTH })}
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={errors.password}
            required
          />
          <Button type="submit" block busy={busy}>
            {t('setup.submit')}
          </Button>
        </form>
      </Card>
    </Narrow>
  );
}
