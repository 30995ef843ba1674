import { useRef, useState, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Item, RenderedItem } from '../api';
import { HbIcon } from './HbIcon';
import { StoryItem } from './Story';

/** One control of an item's toolbar: an icon button whose name is its label. */
function Tool({
  icon,
  label,
  onClick,
  disabled,
  danger,
}: {
  icon: Parameters<typeof HbIcon>[0]['name'];
  label: string;
  onClick: () => void;
  disabled?: boolean;
  danger?: boolean;
}) {
  return (
    <button
      type="button"
      className={`icon-btn hb-tool${danger === true ? ' hb-tool-danger' : ''}`}
      aria-label={label}
      title={label}
      onClick={onClick}
      disabled={disabled}
    >
      <HbIcon name={icon} size={16} />
    </button>
  );
}

/**
 * The story in edit mode: every item with its tools (edit, add below, move, remove). Items move
 * by dragging the handle, or from the keyboard: focus the handle and press ↑ or ↓.
 */
export function EditableStory({
  story,
  rendered,
  editingId,
  renderEditor,
  addingAfter,
  renderAdder,
  onEdit,
  onAddAfter,
  onMove,
  onRemove,
}: {
  story: Item[];
  rendered: Map<string, RenderedItem>;
  editingId: string | null;
  renderEditor: (item: Item) => ReactNode;
  /** Where a new item is being added: after this id, or '' for the top; undefined when not adding. */
  addingAfter: string | undefined;
  renderAdder: () => ReactNode;
  onEdit: (id: string) => void;
  onAddAfter: (id: string) => void;
  onMove: (order: string[], announce: string) => void;
  onRemove: (item: Item) => void;
}) {
  const { t } = useTranslation('handbook');
  const [dragging, setDragging] = useState<string | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const handles = useRef(new Map<string, HTMLButtonElement>());

  const ids = story.map((i) => i.id);
  const moveTo = (id: string, to: number) => {
    const from = ids.indexOf(id);
    if (from < 0 || to < 0 || to >= ids.length || from === to) return;
    const order = ids.slice();
    order.splice(from, 1);
    order.splice(to, 0, id);
    onMove(order, t('edit.movedTo', { position: to + 1, count: ids.length }));
    // Keep the keyboard where it was: on the handle of the item that moved.
    requestAnimationFrame(() => handles.current.get(id)?.focus());
  };
  const handleKey = (e: KeyboardEvent, id: string, index: number) => {
    if (e.key === 'ArrowUp') {
      e.preventDefault();
      moveTo(id, index - 1);
    } else if (e.key === 'ArrowDown') {
      e.preventDefault();
      moveTo(id, index + 1);
    }
  };
  const drop = (e: DragEvent, targetId: string) => {
    e.preventDefault();
    const id = dragging ?? e.dataTransfer.getData('text/plain');
    setDragging(null);
    setOver(null);
    if (id === '' || id === targetId) return;
    moveTo(id, ids.indexOf(targetId));
  };

  return (
    <>
      <ol className="hb-edit-story" aria-label={t('edit.storyLabel')}>
        {addingAfter === '' && <li className="hb-edit-row hb-adding">{renderAdder()}</li>}
        {story.map((item, index) => {
          const label = summary(item, t('item.untitled'));
          return (
            <li
              key={item.id}
              className={`hb-edit-row${dragging === item.id ? ' dragging' : ''}${over === item.id && dragging !== item.id ? ' drop-target' : ''}`}
              onDragOver={(e) => {
                if (dragging === null) return;
                e.preventDefault();
                setOver(item.id);
              }}
              onDragLeave={() => setOver((o) => (o === item.id ? null : o))}
              onDrop={(e) => drop(e, item.id)}
            >
              {editingId === item.id ? (
                renderEditor(item)
              ) : (
                <div className="hb-edit-item">
                  <button
                    type="button"
                    className="hb-grip"
                    draggable
                    ref={(el) => {
                      if (el === null) handles.current.delete(item.id);
                      else handles.current.set(item.id, el);
                    }}
                    aria-label={t('edit.moveHandle', { item: label })}
                    aria-describedby="hb-move-help"
                    onKeyDown={(e) => handleKey(e, item.id, index)}
                    onDragStart={(e) => {
                      e.dataTransfer.setData('text/plain', item.id);
                      e.dataTransfer.effectAllowed = 'move';
                      setDragging(item.id);
                    }}
                    onDragEnd={() => {
                      setDragging(null);
                      setOver(null);
                    }}
                  >
                    <HbIcon name="grip" size={16} />
                  </button>
                  <div className="hb-edit-body">
                    <StoryItem item={item} rendered={rendered.get(item.id)} />
                  </div>
                  <div
                    className="hb-tools"
                    role="group"
                    aria-label={t('edit.toolsFor', { item: label })}
                  >
                    <Tool icon="edit" label={t('edit.editItem')} onClick={() => onEdit(item.id)} />
                    <Tool
                      icon="plus"
                      label={t('edit.addBelow')}
                      onClick={() => onAddAfter(item.id)}
                    />
                    <Tool
                      icon="up"
                      label={t('edit.moveUp')}
                      disabled={index === 0}
                      onClick={() => moveTo(item.id, index - 1)}
                    />
                    <Tool
                      icon="down"
                      label={t('edit.moveDown')}
                      disabled={index === story.length - 1}
                      onClick={() => moveTo(item.id, index + 1)}
                    />
                    <Tool
                      icon="trash"
                      label={t('edit.remove')}
                      danger
                      onClick={() => onRemove(item)}
                    />
                  </div>
                </div>
              )}
              {addingAfter === item.id && <div className="hb-adding">{renderAdder()}</div>}
            </li>
          );
        })}
      </ol>
      <p id="hb-move-help" className="visually-hidden">
        {t('edit.moveHelp')}
      </p>
    </>
  );
}

/** A short name for an item in control labels: the first words of its text, or its type. */
export function summary(item: Item, fallback: string): string {
  const text = typeof item.text === 'string' ? item.text.replace(/\s+/g, ' ').trim() : '';
  if (text === '') return `${item.type} — ${fallback}`;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
