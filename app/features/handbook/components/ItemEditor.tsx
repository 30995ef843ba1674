import { useState, type FormEvent, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { knownItemTypes } from '@common/api/handbook';
import { Alert, Button, SelectField, TextField } from '@app/components';
import { useErrorMessage } from '@app/lib/errors';
import { useSession } from '@app/lib/session';
import { uploadImage, type Item } from '../api';
import { LinkTextarea } from './LinkTextarea';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/**
 * Edits one story item: its text (with `[[` suggestions) and the fields its type needs. A new
 * item also chooses its type. Ctrl+Enter saves, Escape cancels.
 */
export function ItemEditor({
  initial,
  isNew,
  busy,
  onSave,
  onCancel,
}: {
  initial: Item;
  isNew: boolean;
  busy: boolean;
  onSave: (item: Item) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('handbook');
  const errorMessage = useErrorMessage();
  const { session } = useSession();
  const [item, setItem] = useState<Item>(initial);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const set = (patch: Record<string, unknown>) => setItem((i) => ({ ...i, ...patch }));

  const submit = (e?: FormEvent) => {
    e?.preventDefault();
    onSave(item);
  };
  const keys = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      submit();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      onCancel();
    }
  };
  const upload = async (file: File | undefined) => {
    if (file === undefined) return;
    setUploading(true);
    setUploadError(null);
    try {
      const img = await uploadImage(file, session?.csrfToken);
      set({ url: img.url });
    } catch (err) {
      setUploadError(err);
    } finally {
      setUploading(false);
    }
  };

  const type = item.type;
  const text = str(item.text);
  return (
    <form className="hb-editor" onSubmit={submit} onKeyDown={keys} aria-label={t('editor.label')}>
      {isNew && (
        <SelectField
          label={t('editor.type')}
          value={type}
          onChange={(e) => set({ type: e.target.value })}
        >
          {knownItemTypes.map((k) => (
            <option key={k} value={k}>
              {t(`types.${k}`)}
            </option>
          ))}
        </SelectField>
      )}
      {type === 'image' && (
        <div className="field">
          <label htmlFor={`${item.id}-file`}>{t('editor.imageFile')}</label>
          <input
            id={`${item.id}-file`}
            type="file"
            accept="image/png,image/jpeg,image/gif,image/webp"
            onChange={(e) => void upload(e.target.files?.[0])}
          />
          <p className="field-hint">{t('editor.imageHint')}</p>
          {uploading && <p className="muted">{t('editor.uploading')}</p>}
          {uploadError !== null && <Alert tone="danger">{errorMessage(uploadError)}</Alert>}
          {str(item.url) !== '' && (
            <img className="hb-editor-preview" src={str(item.url)} alt={t('editor.preview')} />
          )}
        </div>
      )}
      {type === 'reference' && (
        <div className="grid-2 hb-editor-grid">
          <TextField
            label={t('editor.site')}
            value={str(item.site)}
            onChange={(e) => set({ site: e.target.value })}
          />
          <TextField
            label={t('editor.slug')}
            value={str(item.slug)}
            onChange={(e) => set({ slug: e.target.value })}
          />
          <TextField
            label={t('editor.refTitle')}
            value={str(item.title)}
            onChange={(e) => set({ title: e.target.value })}
          />
        </div>
      )}
      {type === 'pagefold' ? (
        <TextField
          label={t('editor.foldLabel')}
          value={text}
          autoFocus
          onChange={(e) => set({ text: e.target.value })}
        />
      ) : (
        <LinkTextarea
          label={type === 'image' ? t('editor.caption') : t('editor.text')}
          value={text}
          onChange={(v) => set({ text: v })}
          rows={type === 'code' || type === 'graphviz' ? 8 : type === 'image' ? 2 : 5}
          mono={type === 'code' || type === 'graphviz' || type === 'html'}
          autoFocus
          hint={
            type === 'graphviz'
              ? t('editor.graphvizHint')
              : type === 'code' || type === 'image'
                ? undefined
                : t('editor.linkHint')
          }
        />
      )}
      <div className="row hb-editor-actions">
        <Button type="submit" size="sm" busy={busy} disabled={uploading}>
          {t('editor.save')}
        </Button>
        <Button variant="ghost" size="sm" onClick={onCancel}>
          {t('editor.cancel')}
        </Button>
        <span className="muted small">{t('editor.shortcut')}</span>
      </div>
    </form>
  );
}
