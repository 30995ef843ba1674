import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Alert, Button, Card, Narrow, PageHeader, TextField } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { authApi } from './api';
import { checkFields, isClean, type FieldErrors } from './validation';

/** Asks for a reset link by email; says the same whether or not the address is known. */
export function ForgotPasswordPage() {
  const { t } = useTranslation('auth');
  const errorMessage = useErrorMessage();
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(undefined);
    const found = checkFields(t, { email });
    setErrors(found);
    if (!isClean(found)) return;
    setBusy(true);
    try {
      await authApi.requestReset({ email });
      setSent(true);
    } catch (err) {
      setFailure(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Narrow>
      <PageHeader title={t('forgot.title')} description={t('forgot.lead')} />
      <Card>
        {sent ? (
          // The way back to log in is the link under the card.
          <Alert tone="success" title={t('forgot.sentTitle')}>
            {t('forgot.sent', { email })}
          </Alert>
        ) : (
          <form className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
            {failure && <Alert tone="danger">{failure}</Alert>}
            <TextField
              label={t('fields.email')}
              type="email"
              autoComplete="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              error={errors.email}
              required
            />
            <Button type="submit" block busy={busy}>
              {t('forgot.submit')}
            </Button>
          </form>
        )}
      </Card>
      <p className="auth-foot">
        <Link to="/login">{t('forgot.backToLogin')}</Link>
      </p>
    </Narrow>
  );
}
