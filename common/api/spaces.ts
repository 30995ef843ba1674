/**
 * Spaces (persistent meeting rooms): request and response shapes shared by the server (validation,
 * OpenAPI) and the app (types). Endpoints are listed beside each schema; all live under /api/v1.
 */
import { z } from 'zod';
import { NAME_MAX_LENGTH } from '../limits';

export const SPACE_NAME_MAX_LENGTH = 100;
export const SPACE_DESCRIPTION_MAX_LENGTH = 2000;
export const SPACE_SLUG_MAX_LENGTH = 60;
export const ACCESS_CODE_MIN_LENGTH = 4;
export const ACCESS_CODE_MAX_LENGTH = 64;
export const MAX_PARTICIPANTS_LIMIT = 500;
export const CO_MODERATORS_MAX = 50;

/**
 * A slug: lower-case letters of any script, digits and marks, in words joined by single hyphens.
 * The address of a space is `/s/<slug>`.
 */
export const SLUG_PATTERN =
  /^[\p{Ll}\p{Lo}\p{Lm}\p{N}\p{M}]+(?:-[\p{Ll}\p{Lo}\p{Lm}\p{N}\p{M}]+)*$/u;

/** Who waits in the lobby: nobody, people who are not signed in, or everyone but moderators. */
export const lobbyModes = ['off', 'guests', 'everyone_but_moderators'] as const;
export type LobbyMode = (typeof lobbyModes)[number];

/** Per setting, whether space owners may change it: forced on, owner's choice, forced off. */
export const settingPolicies = ['always_on', 'optional', 'off'] as const;
export type SettingPolicy = (typeof settingPolicies)[number];

/** The settings a steward's site-wide policy governs (access codes and max participants are always the owner's). */
export const policySettingKeys = [
  'lobby',
  'signInRequired',
  'anyoneCanStart',
  'everyoneJoinsAsModerator',
  'muteOnJoin',
  'lockCamera',
  'lockMicrophone',
  'lockChat',
  'lockScreenShare',
  'keepChat',
] as const;
export type PolicySettingKey = (typeof policySettingKeys)[number];

export const slug = z
  .string()
  .trim()
  .min(1)
  .max(SPACE_SLUG_MAX_LENGTH)
  .transform((s) => s.normalize('NFC'))
  .refine((s) => SLUG_PATTERN.test(s), {
    message: 'lower-case letters, digits and single hyphens between words',
  });
export const spaceName = z.string().trim().min(1).max(SPACE_NAME_MAX_LENGTH);
export const accessCode = z.string().min(ACCESS_CODE_MIN_LENGTH).max(ACCESS_CODE_MAX_LENGTH);

/** The settings of a space, as the owner and co-moderators see and edit them. */
export const spaceSettings = z.object({
  /** Non-moderators must give this code to join (null: no code). */
  viewerAccessCode: accessCode.nullable(),
  /** Whoever gives this code joins as a moderator (null: no code). */
  moderatorAccessCode: accessCode.nullable(),
  lobby: z.enum(lobbyModes),
  signInRequired: z.boolean(),
  /** Off: the meeting opens only when a moderator arrives; early arrivals wait. */
  anyoneCanStart: z.boolean(),
  everyoneJoinsAsModerator: z.boolean(),
  muteOnJoin: z.boolean(),
  /** null: no limit beyond the site's. */
  maxParticipants: z.number().int().min(2).max(MAX_PARTICIPANTS_LIMIT).nullable(),
  /** Non-moderators may not turn on their camera. */
  lockCamera: z.boolean(),
  lockMicrophone: z.boolean(),
  lockChat: z.boolean(),
  lockScreenShare: z.boolean(),
  /** Keep the chat when the meeting ends (off: chat is gone, privacy by default). */
  keepChat: z.boolean(),
});
export type SpaceSettings = z.infer<typeof spaceSettings>;

/** A person in a space's co-moderator list. */
export const accountRefDto = z.object({ id: z.string(), name: z.string() });

/** A space as its owner and co-moderators see it (with access codes). */
export const spaceDto = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  /** The full link to share: `<publicUrl>/s/<slug>`. */
  url: z.string(),
  owner: accountRefDto,
  coModerators: z.array(accountRefDto),
  settings: spaceSettings,
  /** Settings the site's policy fixes (the owner cannot change them). */
  lockedSettings: z.array(z.enum(policySettingKeys)),
  /** How the viewer relates to the space. */
  myRole: z.enum(['owner', 'co_moderator', 'steward']),
  live: z.object({ participants: z.number().int(), locked: z.boolean() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SpaceDto = z.infer<typeof spaceDto>;

/** A space in a list (no access codes). */
export const spaceSummaryDto = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  url: z.string(),
  owner: accountRefDto,
  myRole: z.enum(['owner', 'co_moderator']),
  live: z.object({ participants: z.number().int() }).nullable(),
  createdAt: z.string(),
});
export type SpaceSummaryDto = z.infer<typeof spaceSummaryDto>;

/** GET /api/v1/spaces → my spaces (owned) and spaces shared with me (co-moderator). */
export const spaceListsDto = z.object({
  mine: z.array(spaceSummaryDto),
  sharedWithMe: z.array(spaceSummaryDto),
});
export type SpaceListsDto = z.infer<typeof spaceListsDto>;

/** POST /api/v1/spaces (201 → spaceDto). Settings left out take the site's defaults. */
export const createSpaceBody = z.strictObject({
  name: spaceName,
  slug: slug.optional(),
  description: z.string().trim().max(SPACE_DESCRIPTION_MAX_LENGTH).default(''),
  coModeratorIds: z.array(z.string().min(1).max(64)).max(CO_MODERATORS_MAX).default([]),
  settings: spaceSettings.partial().strict().default({}),
});
export type CreateSpaceBody = z.infer<typeof createSpaceBody>;

/** PATCH /api/v1/spaces/:slug (→ spaceDto). Owner or co-moderator; only the owner changes the slug or co-moderators. */
export const updateSpaceBody = z.strictObject({
  name: spaceName.optional(),
  slug: slug.optional(),
  description: z.string().trim().max(SPACE_DESCRIPTION_MAX_LENGTH).optional(),
  coModeratorIds: z.array(z.string().min(1).max(64)).max(CO_MODERATORS_MAX).optional(),
  settings: spaceSettings.partial().strict().optional(),
});
export type UpdateSpaceBody = z.infer<typeof updateSpaceBody>;

/** GET /api/v1/spaces/slug-suggestion?name= → a free slug made from the name. */
export const slugSuggestionQuery = z.strictObject({
  name: z.string().max(SPACE_NAME_MAX_LENGTH * 2),
});
export const slugSuggestionDto = z.object({ slug: z.string() });

/** GET /api/v1/spaces/:slug/public — what the pre-join page needs; never the access codes. */
export const spacePublicDto = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  /** A code is needed to join (for everyone but owners and co-moderators). */
  accessCodeRequired: z.boolean(),
  /** A moderator code exists (the page may offer a field for it even when no viewer code is set). */
  moderatorCodeEnabled: z.boolean(),
  signInRequired: z.boolean(),
  lobby: z.enum(lobbyModes),
  maxParticipants: z.number().int().nullable(),
  /** The live meeting, if one is on now. */
  live: z.object({ participants: z.number().int(), locked: z.boolean() }).nullable(),
  /** The viewer is the owner or a co-moderator (joins as moderator without a code). */
  viewerIsModerator: z.boolean(),
  /** Everyone who gets in (with the viewer code, if one is set) joins as a moderator. */
  everyoneJoinsAsModerator: z.boolean(),
});
export type SpacePublicDto = z.infer<typeof spacePublicDto>;

/** POST /api/v1/spaces/:slug/join */
export const joinSpaceBody = z.strictObject({
  name: z.string().trim().min(1).max(NAME_MAX_LENGTH),
  accessCode: z.string().max(ACCESS_CODE_MAX_LENGTH).optional(),
  /**
   * A guest's random per-browser key (kept in that browser only, never shown). A guest who joins
   * again with the same key replaces their own "Reconnecting" place at once; members are known by
   * their account instead. Ignored for members.
   */
  guestKey: z
    .string()
    .regex(/^[A-Za-z0-9_-]{22,64}$/)
    .optional(),
});
export type JoinSpaceBody = z.infer<typeof joinSpaceBody>;

/** An ICE server as RTCPeerConnection takes it. */
export const iceServerDto = z.object({ urls: z.string() });

/**
 * The answer to a join: open a WebSocket to `wsPath` (same origin) and send `{type:'join', token}`
 * within `expiresAt`. Role is what the checks granted.
 */
export const joinTicketDto = z.object({
  token: z.string(),
  expiresAt: z.string(),
  wsPath: z.string(),
  iceServers: z.array(iceServerDto),
  role: z.enum(['viewer', 'moderator']),
  spaceId: z.string(),
});
export type JoinTicketDto = z.infer<typeof joinTicketDto>;

/** One setting's site-wide default and policy. */
export const booleanDefault = z.strictObject({
  value: z.boolean(),
  policy: z.enum(settingPolicies),
});
export const lobbyDefault = z.strictObject({
  /** The lobby mode new spaces get, and the one forced when the policy is always_on. */
  value: z.enum(lobbyModes),
  policy: z.enum(settingPolicies),
});

/** GET / PUT /api/v1/admin/space-defaults (stewards). */
export const spaceDefaultsDto = z.strictObject({
  lobby: lobbyDefault,
  signInRequired: booleanDefault,
  anyoneCanStart: booleanDefault,
  everyoneJoinsAsModerator: booleanDefault,
  muteOnJoin: booleanDefault,
  lockCamera: booleanDefault,
  lockMicrophone: booleanDefault,
  lockChat: booleanDefault,
  lockScreenShare: booleanDefault,
  keepChat: booleanDefault,
  /** New spaces' maximum participants (null: none). */
  maxParticipants: z.number().int().min(2).max(MAX_PARTICIPANTS_LIMIT).nullable(),
});
export type SpaceDefaultsDto = z.infer<typeof spaceDefaultsDto>;

/** A new install's defaults: no codes, lobby off, sign-in not required, mute on join off. */
export const installDefaults: SpaceDefaultsDto = {
  lobby: { value: 'off', policy: 'optional' },
  signInRequired: { value: false, policy: 'optional' },
  anyoneCanStart: { value: true, policy: 'optional' },
  everyoneJoinsAsModerator: { value: false, policy: 'optional' },
  muteOnJoin: { value: false, policy: 'optional' },
  lockCamera: { value: false, policy: 'optional' },
  lockMicrophone: { value: false, policy: 'optional' },
  lockChat: { value: false, policy: 'optional' },
  lockScreenShare: { value: false, policy: 'optional' },
  keepChat: { value: false, policy: 'optional' },
  maxParticipants: null,
};
