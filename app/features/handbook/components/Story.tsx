import { useTranslation } from 'react-i18next';
import type { Item, RenderedItem } from '../api';

/** Text of an item for display when the server sent no rendering (history views, fallbacks). */
function plain(item: Item): string {
  return typeof item.text === 'string' ? item.text : '';
}

/**
 * One story item. The server renders and sanitises every item (markdown, html, links, graphviz
 * SVG); the app only places that HTML. Unknown types are shown as such, with their text.
 */
export function StoryItem({ item, rendered }: { item: Item; rendered: RenderedItem | undefined }) {
  const { t } = useTranslation('handbook');
  if (rendered !== undefined && !rendered.supported) {
    return (
      <div className="hb-item hb-unsupported" data-type={item.type}>
        <p className="hb-unsupported-label">{t('item.unsupported', { type: item.type })}</p>
        {plain(item) !== '' && <pre>{plain(item)}</pre>}
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
        <p className="hb-item hb-plain">
          {typeof item.title === 'string' ? `${item.title} — ` : ''}
          {text}
        </p>
      );
    default:
      return (
        <div className="hb-item hb-unsupported">
          <p className="hb-unsupported-label">{t('item.unsupported', { type: item.type })}</p>
          {text !== '' && <pre>{text}</pre>}
        </div>
      );
  }
}
