import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { PASSWORD_MIN_LENGTH } from '@common/limits';
import { Alert, Button, Card, Loading, Narrow, PageHeader } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { authApi } from './api';
import { PasswordField } from './PasswordField';
import { checkFields, isClean, serverFieldErrors, type FieldErrors } from './validation';

/**
 * Sets a new password from the one-time link (?token=) sent by email. The link is checked first
 * (without using it up), so a used or expired one says so instead of showing the form.
 */
export function ResetPasswordPage() {
  const { t } = useTranslation('auth');
  const errorMessage = useErrorMessage();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const token = search.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const check = useQuery({
    queryKey: ['password-reset', token],
    queryFn: () => authApi.checkReset(token),
    enabled: token !== '',
  });

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    const found = checkFields(t, { password, confirm });
    setErrors(found);
    if (!isClean(found)) return;
    setBusy(true);
    try {
      await authApi.confirmReset({ token, password });
      void navigate('/login', { replace: true, state: { notice: 'passwordReset' } });
    } catch (err) {
      setErrors(serverFieldErrors(t, err));
      setFailure(errorMessage(err));
      setBusy(false);
    }
  };

  // A missing or unusable link gets a heading of its own: "Choose a new password" would promise
  // a form that is not there.
  const unusable = token === '' || check.data?.valid === false;
  return (
    <Narrow>
      {unusable ? (
        <PageHeader title={token === '' ? t('reset.noTokenTitle') : t('reset.linkUnusableTitle')} />
      ) : (
        <PageHeader title={t('reset.title')} description={t('reset.lead')} />
      )}
      <Card>
        {unusable ? (
          <div className="stack">
            <Alert tone="warning">
              {token === '' ? t('reset.noToken') : t('reset.linkUnusable')}
            </Alert>
            <Link to="/forgot-password">{t('reset.askAgain')}</Link>
          </div>
        ) : check.error ? (
          <Alert tone="danger">{errorMessage(check.error)}</Alert>
        ) : check.data === undefined ? (
          <Loading label={t('reset.checking')} />
        ) : (
          <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
            {failure && (
              <Alert tone="danger">
                {failure} <Link to="/forgot-password">{t('reset.askAgain')}</Link>
              </Alert>
            )}
            <PasswordField
              label={t('fields.newPassword')}
              hint={t('fields.passwordHint', { min: PASSWORD_MIN_LENGTH })}
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              error={errors.password}
              required
            />
            <PasswordField
              label={t('fields.confirmPassword')}
              autoComplete="new-password"
              value={confirm}
              onChange={(e) => setConfirm(e.target.value)}
              error={errors.confirm}
              required
            />
            <Button type="submit" block busy={busy}>
              {t('reset.submit')}
            </Button>
          </form>
        )}
      </Card>
    </Narrow>
  );
}
