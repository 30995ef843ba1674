import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from './Icon';

/** A read-only value (a link, a code) with a button that copies it. */
export function CopyField({ label, value }: { label: string; value: string }) {
  const { t } = useTranslation();
  const id = useId();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      window.setTimeout(() => setCopied(false), 2000);
    } catch {
      const input = document.getElementById(id);
      if (input instanceof HTMLInputElement) input.select();
    }
  };
  return (
    <div className="copy-field">
      <label htmlFor={id} className="visually-hidden">
        {label}
      </label>
      <input id={id} readOnly value={value} onFocus={(e) => e.currentTarget.select()} />
      <button type="button" className="btn btn-secondary btn-sm" onClick={() => void copy()}>
        <Icon name={copied ? 'check' : 'copy'} size={16} />
        {copied ? t('actions.copied') : t('actions.copy')}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {copied ? t('actions.copied') : ''}
      </span>
    </div>
  );
}
