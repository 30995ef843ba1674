import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SIGNAL_LIMITS, type ChatMessage } from '@common/protocol';
import { MeetIcon } from './MeetIcon';

/** The meeting's text chat: messages with their times, and a field to write. */
export function ChatPanel({
  messages,
  selfId,
  locked,
  onSend,
}: {
  messages: ChatMessage[];
  selfId: string | null;
  locked: boolean;
  onSend: (text: string) => void;
}) {
  const { t, i18n } = useTranslation('spaces');
  const [text, setText] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const time = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });
  useEffect(() => {
    const el = listRef.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  }, [messages.length]);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (text.trim() === '') return;
    onSend(text);
    setText('');
  };
  return (
    <div className="panel-body chat">
      {messages.length === 0 ? (
        <p className="muted panel-empty">{t('chat.empty')}</p>
      ) : (
        <ol className="chat-list" ref={listRef} aria-live="polite" aria-label={t('chat.messages')}>
          {messages.map((m) => (
            <li key={m.id} className={`chat-msg${m.from === selfId ? ' mine' : ''}`}>
              <div className="chat-meta">
                <strong>{m.from === selfId ? t('chat.you') : m.name}</strong>
                <time dateTime={m.at}>{time.format(new Date(m.at))}</time>
              </div>
              <p>{m.text}</p>
            </li>
          ))}
        </ol>
      )}
      {locked ? (
        <p className="muted small chat-locked">{t('chat.locked')}</p>
      ) : (
        <form className="chat-form" onSubmit={onSubmit}>
          <label htmlFor="chat-input" className="visually-hidden">
            {t('chat.label')}
          </label>
          <input
            id="chat-input"
            value={text}
            maxLength={SIGNAL_LIMITS.maxChatLength}
            placeholder={t('chat.placeholder')}
            autoComplete="off"
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="icon-btn send-btn" aria-label={t('chat.send')}>
            <MeetIcon name="send" size={18} />
          </button>
        </form>
      )}
    </div>
  );
}
