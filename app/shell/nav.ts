import type { IconName } from '@app/components';

/** The places of a hall, in the order the navigation shows them. Labels are `nav.<key>` in common. */
export interface NavEntry {
  key: 'spaces' | 'handbook' | 'assemblies' | 'members' | 'economy';
  to: string;
  icon: IconName;
}

export const navEntries: NavEntry[] = [
  { key: 'spaces', to: '/spaces', icon: 'spaces' },
  { key: 'handbook', to: '/handbook', icon: 'handbook' },
  { key: 'assemblies', to: '/assemblies', icon: 'assemblies' },
  { key: 'members', to: '/members', icon: 'members' },
  { key: 'economy', to: '/economy', icon: 'economy' },
];
