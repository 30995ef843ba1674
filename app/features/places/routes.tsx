import type { RouteObject } from 'react-router';
import { ComingSoon } from './ComingSoon';

/** Assemblies, Members and Economy: placeholders until their features are built. */
export const placesRoutes: RouteObject[] = [
  { path: 'assemblies/*', element: <ComingSoon place="assemblies" icon="assemblies" /> },
  { path: 'members/*', element: <ComingSoon place="members" icon="members" /> },
  { path: 'economy/*', element: <ComingSoon place="economy" icon="economy" /> },
];
