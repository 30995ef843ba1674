import { useState, type InputHTMLAttributes, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '@app/components';

/** A password input with a show/hide toggle. */
export function PasswordField({
  label,
  hint,
  error,
  ...rest
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
} & InputHTMLAttributes<HTMLInputElement>) {
  const { t } = useTranslation('auth');
  const [shown, setShown] = useState(false);
  return (
    <div className="password-field">
      <TextField
        label={label}
        hint={hint}
        error={error}
        type={shown ? 'text' : 'password'}
        {...rest}
      />
      <button type="button" className="reveal-btn" onClick={() => setShown((s) => !s)}>
        {shown ? t('fields.hidePassword') : t('fields.showPassword')}
      </button>
    </div>
  );
}
