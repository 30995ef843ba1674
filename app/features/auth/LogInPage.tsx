import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { Alert, Button, Card, Narrow, PageHeader, TextField } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { authApi } from './api';
import { PasswordField } from './PasswordField';
import { nextPath } from './RequireAccount';

/** Log in with email and password; afterwards back to where the person was going. */
export function LogInPage() {
  const { t } = useTranslation('auth');
  const { account, refresh } = useSession();
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  if (account !== null && !busy) return <Navigate to={nextPath(search)} replace />;

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    if (email.trim() === '' || password === '') {
      setFailure(t('login.missing'));
      return;
    }
    setBusy(true);
    try {
      await authApi.logIn({ email, password });
      await refresh();
      void navigate(nextPath(search), { replace: true });
    } catch (err) {
      setFailure(errorMessage(err));
      setBusy(false);
    }
  };

  return (
    <Narrow>
      <PageHeader title={t('login.title')} description={t('login.lead')} />
      <Card>
        <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
          {notice === 'passwordReset' && <Alert tone="success">{t('reset.done')}</Alert>}
          {failure && <Alert tone="danger">{failure}</Alert>}
          <TextField
            label={t('fields.email')}
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
          />
          <PasswordField
            label={t('fields.password')}
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          <div className="row row-between">
            <Link to="/forgot-password">{t('login.forgot')}</Link>
          </div>
          <Button type="submit" block busy={busy}>
            {t('login.submit')}
          </Button>
        </form>
      </Card>
      <p className="auth-foot">
        {t('login.noAccount')} <Link to="/signup">{t('login.signUpLink')}</Link>
      </p>
    </Narrow>
  );
}
