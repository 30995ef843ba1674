import { useCallback, type MouseEvent } from 'react';
import { useNavigate } from 'react-router';

/**
 * Handles clicks inside server-rendered HTML (story items, diagrams): links into the handbook
 * navigate inside the app; a link to a missing page calls `onMissing` with its title instead.
 */
export function useLinkClicks(onMissing: (title: string) => void) {
  const navigate = useNavigate();
  return useCallback(
    (e: MouseEvent<HTMLElement>) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
      const target = e.target as Element;
      const a = target.closest('a');
      if (a === null) return;
      const href = a.getAttribute('href') ?? a.getAttribute('xlink:href') ?? '';
      if (!href.startsWith('/handbook/')) return;
      e.preventDefault();
      if (a.classList.contains('missing')) onMissing(a.textContent?.trim() ?? '');
      else void navigate(href);
    },
    [navigate, onMissing],
  );
}
