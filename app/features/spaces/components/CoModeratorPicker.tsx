import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MEMBER_LOOKUP_MIN_LENGTH, type MemberRefDto } from '@common/api/auth';
import { useErrorMessage } from '@app/lib/errors';
import { spacesApi } from '../api';

export interface PickedMember {
  id: string;
  name: string;
}

/**
 * Adds members as co-moderators: an ARIA combobox that looks members up as the owner types
 * (debounced; GET /members), arrows to move, Enter to add, Escape to close. The owner and people
 * already chosen are not offered. A polite live region says how many were found.
 */
export function CoModeratorPicker({
  exclude,
  onPick,
}: {
  /** Ids not to offer (the owner, co-moderators already chosen). */
  exclude: readonly string[];
  onPick: (m: PickedMember) => void;
}) {
  const { t } = useTranslation('spaces');
  const errorMessage = useErrorMessage();
  const id = useId();
  const [text, setText] = useState('');
  const [results, setResults] = useState<MemberRefDto[] | null>(null);
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const query = text.trim();
  const longEnough = [...query].length >= MEMBER_LOOKUP_MIN_LENGTH;

  useEffect(() => {
    if (!longEnough) {
      setResults(null);
      setError(null);
      return;
    }
    const n = ++seq.current;
    const timer = window.setTimeout(() => {
      spacesApi.lookUpMembers(query).then(
        (r) => {
          if (n !== seq.current) return;
          setResults(r.members);
          setActive(0);
          setError(null);
        },
        (err: unknown) => {
          if (n !== seq.current) return;
          setResults(null);
          setError(errorMessage(err));
        },
      );
    }, 250);
    return () => window.clearTimeout(timer);
  }, [query, longEnough, errorMessage]);

  const offered = (results ?? []).filter((m) => !exclude.includes(m.id));
  const expanded = open && longEnough && offered.length > 0;
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const optionId = (i: number) => `${id}-opt-${i}`;

  const pick = (m: MemberRefDto) => {
    onPick({ id: m.id, name: m.name });
    setText('');
    setResults(null);
    setOpen(false);
  };

  const keyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' && offered.length > 0) {
      e.preventDefault();
      setOpen(true);
      setActive((a) => (expanded ? (a + 1) % offered.length : 0));
    } else if (e.key === 'ArrowUp' && expanded) {
      e.preventDefault();
      setActive((a) => (a - 1 + offered.length) % offered.length);
    } else if (e.key === 'Enter') {
      // Enter never submits the whole form from here.
      e.preventDefault();
      const m = expanded ? offered[active] : undefined;
      if (m !== undefined) pick(m);
    } else if (e.key === 'Escape' && expanded) {
      e.preventDefault();
      setOpen(false);
    }
  };

  let status = '';
  if (longEnough && results !== null) {
    status =
      offered.length === 0
        ? t('form.coModeratorNoMatch', { text: query })
        : t('form.coModeratorFound', { count: offered.length });
  }

  return (
    <div className="field co-mod-picker">
      <label htmlFor={id}>{t('form.addCoModerator')}</label>
      <div className="co-mod-combo">
        <input
          id={id}
          type="text"
          role="combobox"
          autoComplete="off"
          spellCheck={false}
          aria-autocomplete="list"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-activedescendant={expanded ? optionId(active) : undefined}
          aria-describedby={hintId}
          value={text}
          maxLength={254}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onBlur={() => window.setTimeout(() => setOpen(false), 150)}
          onKeyDown={keyDown}
        />
        <ul
          id={listId}
          role="listbox"
          aria-label={t('form.coModeratorSuggestions')}
          className="co-mod-suggest"
          hidden={!expanded}
        >
          {offered.map((m, i) => (
            <li
              key={m.id}
              id={optionId(i)}
              role="option"
              aria-selected={expanded && i === active}
              onMouseDown={(e) => {
                // Keep focus in the field; the click picks.
                e.preventDefault();
                pick(m);
              }}
            >
              <span>{m.name}</span>
              {m.email !== undefined && <span className="muted small"> · {m.email}</span>}
            </li>
          ))}
        </ul>
      </div>
      <p className="field-hint" id={hintId}>
        {t('form.addCoModeratorHint', { count: MEMBER_LOOKUP_MIN_LENGTH })}
      </p>
      {error !== null && <p className="field-error">{error}</p>}
      {/* One live region: seen when nothing matches, only heard otherwise. */}
      <p
        className={
          longEnough && results !== null && offered.length === 0 ? 'muted small' : 'visually-hidden'
        }
        role="status"
        aria-live="polite"
      >
        {status}
      </p>
    </div>
  );
}
