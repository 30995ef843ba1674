import type { RouteObject } from 'react-router';
import { AdminPage } from './AdminPage';

export const adminRoutes: RouteObject[] = [{ path: 'admin', element: <AdminPage /> }];
