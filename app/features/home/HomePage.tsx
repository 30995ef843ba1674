import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate } from 'react-router';
import { Button, ButtonLink, Icon, TextField, useDocumentTitle } from '@app/components';
import { useSession } from '@app/lib/session';
import { navEntries } from '@app/shell/nav';

/** Takes "/s/weekly", "https://hall.example/s/weekly" or just "weekly" and returns the slug. */
export function spaceSlugFrom(input: string): string | null {
  let v = input.trim();
  if (v === '') return null;
  try {
    v = new URL(v).pathname;
  } catch {
    // Not a full URL: a path or a bare slug.
  }
  const m = /(?:^|\/)s\/([^/?#]+)/.exec(v);
  const slug = (m?.[1] ?? v.replace(/^\/+|\/+$/g, '')).trim();
  if (slug === '' || slug.includes('/')) return null;
  try {
    return decodeURIComponent(slug);
  } catch {
    return slug;
  }
}

function JoinSpace() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const slug = spaceSlugFrom(value);
    if (slug === null) {
      setError(t('home.join.invalid'));
      return;
    }
    void navigate(`/s/${encodeURIComponent(slug)}`);
  };
  return (
    <form className="join-form" onSubmit={onSubmit} noValidate>
      <TextField
        label={t('home.join.label')}
        hint={t('home.join.hint')}
        placeholder={t('home.join.placeholder')}
        value={value}
        error={error}
        onChange={(e) => {
          setValue(e.target.value);
          setError(undefined);
        }}
        autoComplete="off"
        spellCheck={false}
      />
      <Button type="submit" icon="arrowRight">
        {t('home.join.submit')}
      </Button>
    </form>
  );
}

/** Welcome for guests, shortcuts for members, and a field to join a space by its address. */
export function HomePage() {
  const { t } = useTranslation();
  const { account } = useSession();
  // Set by the sign-up page: this account was created a moment ago.
  const isNew = (useLocation().state as { welcome?: string } | null)?.welcome === 'new';
  useDocumentTitle('');
  return (
    <div className="home">
      <section className="hero">
        <p className="eyebrow">{t('home.eyebrow')}</p>
        <h1>
          {account === null
            ? t('home.title')
            : isNew
              ? t('home.welcomeNew', { name: account.name })
              : t('home.welcomeBack', { name: account.name })}
        </h1>
        <p className="lead">{t('home.lead')}</p>
        {account === null && (
          <div className="hero-actions">
            <ButtonLink to="/signup" size="lg">
              {t('home.becomeMember')}
            </ButtonLink>
            <ButtonLink to="/login" size="lg" variant="secondary">
              {t('shell.logIn')}
            </ButtonLink>
          </div>
        )}
      </section>

      <section className="card join-card" aria-labelledby="join-title">
        <div className="card-head">
          <h2 id="join-title">{t('home.join.title')}</h2>
          <p className="muted">{t('home.join.lead')}</p>
        </div>
        <JoinSpace />
      </section>

      <section aria-labelledby="places-title">
        <h2 id="places-title" className="section-title">
          {account ? t('home.shortcuts') : t('home.places')}
        </h2>
        <ul className="place-grid">
          {navEntries.map((e) => (
            <li key={e.key}>
              <Link to={e.to} className="place-card">
                <span className={`place-icon place-${e.key}`}>
                  <Icon name={e.icon} size={22} />
                </span>
                <span className="place-text">
                  <strong>{t(`nav.${e.key}`)}</strong>
                  <span className="muted">{t(`places.${e.key}.lead`)}</span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
