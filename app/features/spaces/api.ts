/** The spaces API (common/api/spaces.ts) as the app calls it. */
import type {
  CreateSpaceBody,
  JoinSpaceBody,
  JoinTicketDto,
  SpaceDefaultsDto,
  SpaceDto,
  SpaceListsDto,
  SpacePublicDto,
  UpdateSpaceBody,
} from '@common/api/spaces';
import type { MemberLookupDto } from '@common/api/auth';
import { api } from '@app/lib/api';

const s = (slug: string) => `/spaces/${encodeURIComponent(slug)}`;

export const spacesApi = {
  lists: () => api.get<SpaceListsDto>('/spaces'),
  get: (slug: string) => api.get<SpaceDto>(s(slug)),
  create: (body: Partial<CreateSpaceBody> & { name: string }) =>
    api.post<SpaceDto>('/spaces', body),
  update: (slug: string, body: UpdateSpaceBody) => api.patch<SpaceDto>(s(slug), body),
  remove: (slug: string) => api.delete<undefined>(s(slug)),
  suggestSlug: (name: string) =>
    api.get<{ slug: string }>(`/spaces/slug-suggestion?name=${encodeURIComponent(name)}`),
  publicInfo: (slug: string) => api.get<SpacePublicDto>(`${s(slug)}/public`),
  join: (slug: string, body: JoinSpaceBody) => api.post<JoinTicketDto>(`${s(slug)}/join`, body),
  /** Members by a word of their name or their e-mail, for the co-moderator picker. */
  lookUpMembers: (q: string) => api.get<MemberLookupDto>(`/members?q=${encodeURIComponent(q)}`),
  getDefaults: () => api.get<SpaceDefaultsDto>('/admin/space-defaults'),
  setDefaults: (body: SpaceDefaultsDto) => api.put<SpaceDefaultsDto>('/admin/space-defaults', body),
};

export const spacesKeys = {
  lists: ['spaces', 'lists'] as const,
  one: (slug: string) => ['spaces', 'one', slug] as const,
  public: (slug: string) => ['spaces', 'public', slug] as const,
  defaults: ['spaces', 'defaults'] as const,
};
