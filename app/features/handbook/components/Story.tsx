import { useTranslation } from 'react-i18next';
import type { Item, RenderedItem } from '../api';

/** Text of an item for display when the server sent no rendering (history views, fallbacks). */
function plain(item: Item): string {
  return typeof item.text === 'string' ? item.text : '';
}

/** An item's fields other than id, type and text, as readable JSON (for an item with no text). */
function fieldsOf(item: Item): string {
  const { id: _id, type: _type, text: _text, ...rest } = item;
  return Object.keys(rest).length === 0 ? '' : JSON.stringify(rest, null, 1).slice(0, 2000);
}

/**
 * One story item. The server renders and sanitises every item (markdown, html, links, graphviz
 * SVG, a video as a link, a reference as a card); the app only places that HTML. A Federated Wiki
 * type we do not draw is shown by its text (or other fields), under a label naming its type.
 */
export function StoryItem({ item, rendered }: { item: Item; rendered: RenderedItem | undefined }) {
  const { t } = useTranslation('handbook');
  if (rendered !== undefined && !rendered.supported) {
    return (
      <div className="hb-item hb-unsupported" data-type={item.type} data-id={item.id}>
        <p className="hb-unsupported-label">{t('item.fallback', { type: item.type })}</p>
        <div dangerouslySetInnerHTML={{ __html: rendered.html }} />
      </div>
    );
  }
  if (rendered?.problem === 'too_complex') {
    return (
      <div className={`hb-item hb-${item.type}`} data-type={item.type} data-id={item.id}>
        <p className="diagram-error">{t('diagram.tooComplex')}</p>
      </div>
    );
  }
  if (rendered !== undefined) {
    return (
      <div
        className={`hb-item hb-${item.type}`}
        data-type={item.type}
        data-id={item.id}
        dangerouslySetInnerHTML={{ __html: rendered.html }}
      />
    );
  }
  return <PlainItem item={item} />;
}

/** An item drawn from its fields alone (a past version has no server rendering). */
export function PlainItem({ item }: { item: Item }) {
  const { t } = useTranslation('handbook');
  const text = plain(item);
  switch (item.type) {
    case 'paragraph':
    case 'markdown':
    case 'html':
      return <p className="hb-item hb-plain">{text}</p>;
    case 'code':
    case 'graphviz':
      return (
        <pre className="hb-item hb-pre">
          <code>{text}</code>
        </pre>
      );
    case 'pagefold':
      return <hr className="hb-item pagefold" title={text} />;
    case 'image':
      return (
        <figure className="hb-item">
          {typeof item.url === 'string' && <img src={item.url} alt={text} />}
          <figcaption>{text}</figcaption>
        </figure>
      );
    case 'reference':
      return (
        <div className="hb-item hb-plain reference-card">
          <strong>
            {typeof item.title === 'string' && item.title !== ''
              ? item.title
              : typeof item.slug === 'string'
                ? item.slug
                : ''}
          </strong>
          {typeof item.site === 'string' && <span className="reference-site"> {item.site}</span>}
          {text !== '' && <p>{text}</p>}
        </div>
      );
    case 'video':
      return <p className="hb-item hb-plain">{text}</p>;
    default:
      return (
        <div className="hb-item hb-unsupported">
          <p className="hb-unsupported-label">{t('item.fallback', { type: item.type })}</p>
          <pre>{text !== '' ? text : fieldsOf(item)}</pre>
        </div>
      );
  }
}
