/* global document */
// Applies the remembered colour scheme before the first paint (no flash of the wrong theme).
try {
  var t = localStorage.getItem('commonhall.theme');
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
} catch {
  /* private mode: follow the system */
}
