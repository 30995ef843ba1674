import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { handbookApi, hbKeys } from '../api';

const OPEN_LINK = /\[\[([^\]\n]{0,80})$/;
const MAX_SUGGESTIONS = 8;

/**
 * A textarea that, once `[[` is typed, suggests page titles (an ARIA combobox: arrows choose,
 * Enter or Tab inserts `Title]]`, Escape closes the list).
 */
export function LinkTextarea({
  label,
  value,
  onChange,
  onKeyDown,
  rows = 5,
  hint,
  autoFocus,
  mono = false,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  onKeyDown?: (e: KeyboardEvent<HTMLTextAreaElement>) => void;
  rows?: number;
  hint?: string;
  autoFocus?: boolean;
  mono?: boolean;
}) {
  const { t } = useTranslation('handbook');
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const [query, setQuery] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const pages = useQuery({
    queryKey: hbKeys.pages,
    queryFn: handbookApi.listPages,
    enabled: query !== null,
    staleTime: 30_000,
  });
  const suggestions = useMemo(() => {
    if (query === null) return [];
    const q = query.toLocaleLowerCase();
    const all = pages.data?.pages ?? [];
    const starts = all.filter((p) => p.title.toLocaleLowerCase().startsWith(q));
    const contains = all.filter(
      (p) => !p.title.toLocaleLowerCase().startsWith(q) && p.title.toLocaleLowerCase().includes(q),
    );
    return [...starts, ...contains].slice(0, MAX_SUGGESTIONS);
  }, [query, pages.data]);
  const open = query !== null && suggestions.length > 0;

  const track = (text: string, caret: number) => {
    const m = OPEN_LINK.exec(text.slice(0, caret));
    setQuery(m === null ? null : (m[1] ?? ''));
    setActive(0);
  };

  const choose = (title: string) => {
    const el = ref.current;
    if (el === null) return;
    const caret = el.selectionStart;
    const before = value.slice(0, caret).replace(OPEN_LINK, `[[${title}]]`);
    const after = value.slice(caret).replace(/^[^\]\n]*\]\]/, '');
    onChange(before + after);
    setQuery(null);
    requestAnimationFrame(() => {
      el.focus();
      el.setSelectionRange(before.length, before.length);
    });
  };

  const keyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (open) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const d = e.key === 'ArrowDown' ? 1 : -1;
        setActive((a) => (a + d + suggestions.length) % suggestions.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        const s = suggestions[active];
        if (s !== undefined) {
          e.preventDefault();
          choose(s.title);
          return;
        }
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        setQuery(null);
        return;
      }
    }
    onKeyDown?.(e);
  };

  const listId = `${id}-list`;
  return (
    <div className="field hb-link-field">
      <label htmlFor={id}>{label}</label>
      <textarea
        ref={ref}
        id={id}
        className={mono ? 'mono' : undefined}
        rows={rows}
        value={value}
        autoFocus={autoFocus}
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-activedescendant={open ? `${id}-opt-${active}` : undefined}
        aria-describedby={hint === undefined ? undefined : `${id}-hint`}
        onChange={(e) => {
          onChange(e.target.value);
          track(e.target.value, e.target.selectionStart);
        }}
        onKeyDown={keyDown}
        onBlur={() => setTimeout(() => setQuery(null), 150)}
      />
      <ul
        id={listId}
        role="listbox"
        aria-label={t('editor.suggestions')}
        className="hb-suggest"
        hidden={!open}
      >
        {suggestions.map((s, i) => (
          <li
            key={s.slug}
            id={`${id}-opt-${i}`}
            role="option"
            aria-selected={i === active}
            onMouseDown={(e) => {
              e.preventDefault();
              choose(s.title);
            }}
          >
            {s.title}
          </li>
        ))}
      </ul>
      {hint !== undefined && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}
