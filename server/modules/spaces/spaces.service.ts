import {
  installDefaults,
  policySettingKeys,
  spaceDefaultsDto,
  type CreateSpaceBody,
  type JoinSpaceBody,
  type LobbyMode,
  type PolicySettingKey,
  type SpaceDefaultsDto,
  type SpaceSettings,
  type UpdateSpaceBody,
} from '@common/api/spaces';
import type { Config } from '@server/config';
import type { Actor } from '@server/http/actor';
import {
  AppError,
  conflict,
  forbidden,
  notFound,
  tooManyRequests,
  unauthenticated,
  refuseMixedScript,
  unprocessable,
} from '@server/http/errors';
import type { EventBus } from '@server/platform/bus';
import { SIGNAL_LIMITS } from '@common/protocol';
import type { Clock } from '@server/platform/clock';
import { defaultFloodLimits, KeyedRateLimiter, type FloodLimits } from '@server/platform/limits';
import { isoNow } from '@server/platform/db';
import { newId } from '@server/platform/ids';
import { codesMatch, type AccessCodeGuard } from './access-guard';
import { guestKeyHash, signJoinToken } from './join-token';
import { suggestSlug } from './slug';
import { can, type SpaceSubject } from './spaces.policy';
import type { AccountRef, SpaceRow, SpacesRepo } from './spaces.repo';

/** What the live side (the meeting router) tells spaces about a space's meeting. */
export interface LiveMeetings {
  /** The live meeting of a space, if any. */
  status(spaceId: string): Promise<LiveStatus | undefined>;
  /** The spaces whose meeting is live now (waiting for a moderator or open). */
  liveSpaceIds(): Promise<string[]>;
  /** Ends a space's meeting for everyone (the space was deleted). */
  end(spaceId: string): Promise<void>;
  /** A space's effective settings changed (the owner saved, or the site's defaults changed): the
   * live meeting, if any, applies them now. */
  applySettings(spaceId: string, settings: LiveSettings): Promise<void>;
}

/** A live meeting as spaces see it (wherever it is hosted). */
export interface LiveStatus {
  /** Those who count toward the maximum (in the meeting, or about to enter it). */
  participants: number;
  /** Those in the lobby or about to queue there (the lobby has its own bound). */
  lobby: number;
  locked: boolean;
}

/** A space's effective settings as a running meeting takes them (no access codes). */
export type LiveSettings = Omit<SpaceSettings, 'viewerAccessCode' | 'moderatorAccessCode'>;

export const noLiveMeetings: LiveMeetings = {
  status: () => Promise.resolve(undefined),
  liveSpaceIds: () => Promise.resolve([]),
  end: () => Promise.resolve(),
  applySettings: () => Promise.resolve(),
};

export interface SpacesContext {
  repo: SpacesRepo;
  clock: Clock;
  config: Config;
  bus: EventBus;
  guard: AccessCodeGuard;
  live: LiveMeetings;
  /** Join tickets per address, and guest tickets per space (absent: unlimited, e.g. the CLI). */
  joinLimits?: JoinLimits;
}

/** The flood limits on join tickets (SIGNAL_LIMITS), one bucket per address and per space. */
export interface JoinLimits {
  perAddress: KeyedRateLimiter;
  guestsPerSpace: KeyedRateLimiter;
}

/** Join limits on this node (each node counts its own); SIGNAL_LIMITS' rates by default. */
export function joinLimitsOf(clock: Clock, limits: FloodLimits = defaultFloodLimits): JoinLimits {
  return {
    perAddress: new KeyedRateLimiter(clock, limits.joinTicketsPerAddressPerMinute),
    guestsPerSpace: new KeyedRateLimiter(clock, limits.guestJoinTicketsPerSpacePerMinute),
  };
}

/** The settings kept in the JSON column: everything but the access codes. */
type StoredSettings = Omit<SpaceSettings, 'viewerAccessCode' | 'moderatorAccessCode'>;

/** A space with what every view of it needs: people, effective settings, fixed settings. */
export interface SpaceView {
  row: SpaceRow;
  owner: AccountRef;
  coModerators: AccountRef[];
  settings: SpaceSettings;
  lockedSettings: PolicySettingKey[];
}

const DEFAULTS_KEY = 'spaces.defaults';

/** The steward's site-wide defaults (a new install's when none were saved). */
export async function getSpaceDefaults(ctx: SpacesContext): Promise<SpaceDefaultsDto> {
  const raw = await ctx.repo.getSetting(DEFAULTS_KEY);
  if (raw === undefined) return installDefaults;
  try {
    const parsed = spaceDefaultsDto.safeParse({
      ...installDefaults,
      ...(JSON.parse(raw) as object),
    });
    return parsed.success ? parsed.data : installDefaults;
  } catch {
    return installDefaults;
  }
}

/** Stewards set the site-wide defaults and per-setting policy. */
export async function setSpaceDefaults(
  ctx: SpacesContext,
  actor: Actor,
  defaults: SpaceDefaultsDto,
): Promise<SpaceDefaultsDto> {
  if (!can(actor, 'spaceDefaults.manage')) throw forbidden('Only stewards set space defaults.');
  const before = await getSpaceDefaults(ctx);
  await ctx.repo.putSetting(DEFAULTS_KEY, JSON.stringify(defaults), isoNow(ctx.clock.now()));
  await followDefaultsInLiveMeetings(ctx, before, defaults);
  return defaults;
}

/**
 * A change of the site's defaults changes the effective settings of spaces that did not choose
 * for themselves and of every space where a policy now forces (or stops forcing) a value: each
 * live meeting whose effective settings differ takes them now, as after an owner's save.
 */
async function followDefaultsInLiveMeetings(
  ctx: SpacesContext,
  before: SpaceDefaultsDto,
  after: SpaceDefaultsDto,
): Promise<void> {
  for (const spaceId of await ctx.live.liveSpaceIds()) {
    const row = await ctx.repo.findById(spaceId);
    if (row === undefined) continue;
    const was = effectiveSettings(row, before).settings;
    const now = effectiveSettings(row, after).settings;
    if (!sameSettings(was, now)) await ctx.live.applySettings(spaceId, now);
  }
}

function sameSettings(a: StoredSettings, b: StoredSettings): boolean {
  return (Object.keys(a) as (keyof StoredSettings)[]).every((k) => a[k] === b[k]);
}

/** The value a policy forces, or undefined when the owner may choose. */
function forcedValue(
  key: PolicySettingKey,
  defaults: SpaceDefaultsDto,
): boolean | LobbyMode | undefined {
  const d = defaults[key];
  if (d.policy === 'optional') return undefined;
  if (key === 'lobby') {
    if (d.policy === 'off') return 'off';
    return defaults.lobby.value === 'off' ? 'guests' : defaults.lobby.value;
  }
  return d.policy === 'always_on';
}

function applyPolicy(
  stored: StoredSettings,
  defaults: SpaceDefaultsDto,
): { settings: StoredSettings; locked: PolicySettingKey[] } {
  const settings: StoredSettings = { ...stored };
  const locked: PolicySettingKey[] = [];
  for (const key of policySettingKeys) {
    const forced = forcedValue(key, defaults);
    if (forced === undefined) continue;
    locked.push(key);
    (settings as Record<PolicySettingKey, boolean | LobbyMode>)[key] = forced;
  }
  return { settings, locked };
}

/** A space's settings as they apply: its own choices, then what the site's policy forces. */
function effectiveSettings(
  row: SpaceRow,
  defaults: SpaceDefaultsDto,
): { settings: StoredSettings; locked: PolicySettingKey[] } {
  return applyPolicy(parseStored(row, defaults), defaults);
}

function parseStored(row: SpaceRow, defaults: SpaceDefaultsDto): StoredSettings {
  const base = newSpaceSettings(defaults);
  try {
    return { ...base, ...(JSON.parse(row.settings) as Partial<StoredSettings>) };
  } catch {
    return base;
  }
}

function newSpaceSettings(defaults: SpaceDefaultsDto): StoredSettings {
  return {
    lobby: defaults.lobby.value,
    signInRequired: defaults.signInRequired.value,
    anyoneCanStart: defaults.anyoneCanStart.value,
    everyoneJoinsAsModerator: defaults.everyoneJoinsAsModerator.value,
    muteOnJoin: defaults.muteOnJoin.value,
    maxParticipants: defaults.maxParticipants,
    lockCamera: defaults.lockCamera.value,
    lockMicrophone: defaults.lockMicrophone.value,
    lockChat: defaults.lockChat.value,
    lockScreenShare: defaults.lockScreenShare.value,
    keepChat: defaults.keepChat.value,
  };
}

/** Refuses a change to a setting the site's policy fixes (to anything but the forced value). */
function checkPolicy(patch: Partial<SpaceSettings>, defaults: SpaceDefaultsDto): void {
  for (const key of policySettingKeys) {
    const value = patch[key];
    if (value === undefined) continue;
    const forced = forcedValue(key, defaults);
    if (forced !== undefined && forced !== value) {
      throw unprocessable(
        'setting_not_changeable',
        `The site's policy fixes "${key}"; it cannot be changed for one space.`,
        { setting: key, value: forced },
      );
    }
  }
}

/** Loads a space's people and effective settings. */
export async function viewOf(ctx: SpacesContext, row: SpaceRow): Promise<SpaceView> {
  const defaults = await getSpaceDefaults(ctx);
  const [owners, coModerators] = await Promise.all([
    ctx.repo.accountsByIds([row.ownerId]),
    ctx.repo.coModerators(row.id),
  ]);
  const { settings, locked } = effectiveSettings(row, defaults);
  return {
    row,
    owner: owners[0] ?? { id: row.ownerId, name: '' },
    coModerators,
    settings: {
      ...settings,
      viewerAccessCode: row.viewerAccessCode,
      moderatorAccessCode: row.moderatorAccessCode,
    },
    lockedSettings: locked,
  };
}

export const subjectOf = (v: SpaceView): SpaceSubject => ({
  ownerId: v.row.ownerId,
  coModeratorIds: v.coModerators.map((c) => c.id),
});

async function requireSpace(ctx: SpacesContext, slug: string): Promise<SpaceView> {
  const row = await ctx.repo.findBySlug(slug.normalize('NFC'));
  if (row === undefined) throw notFound('space_not_found', `No space at /s/${slug}.`);
  return viewOf(ctx, row);
}

/** A space the actor may see in full (owner, co-moderator, steward); 404 to anyone else. */
export async function findSpaceFor(
  ctx: SpacesContext,
  actor: Actor,
  slug: string,
): Promise<SpaceView> {
  if (actor.kind !== 'account') throw unauthenticated();
  const view = await requireSpace(ctx, slug);
  // Not "forbidden": a space's existence is not secret (its public page says so), but its
  // settings are; answer as if it did not exist to keep the error surface small.
  if (!can(actor, 'space.read', subjectOf(view)))
    throw notFound('space_not_found', 'No such space.');
  return view;
}

/** A free slug suggested from a name. */
export function suggestSlugFor(ctx: SpacesContext, name: string): Promise<string> {
  return suggestSlug(name, (s) => ctx.repo.slugExists(s));
}

async function validCoModerators(
  ctx: SpacesContext,
  ownerId: string,
  ids: string[],
): Promise<string[]> {
  const unique = [...new Set(ids)].filter((id) => id !== ownerId);
  const found = await ctx.repo.accountsByIds(unique);
  const missing = unique.filter((id) => !found.some((a) => a.id === id));
  if (missing.length > 0) {
    throw unprocessable('account_not_found', 'Some co-moderators are not accounts here.', {
      missing,
    });
  }
  return unique;
}

/** A member creates a space; left-out settings take the site's defaults. */
export async function createSpace(
  ctx: SpacesContext,
  actor: Actor,
  body: CreateSpaceBody,
): Promise<SpaceView> {
  if (actor.kind !== 'account') throw unauthenticated();
  if (!can(actor, 'space.create')) throw forbidden();
  const defaults = await getSpaceDefaults(ctx);
  checkPolicy(body.settings, defaults);
  if (body.slug !== undefined) refuseMixedScript(body.slug, 'whole');
  const slug = body.slug ?? (await suggestSlugFor(ctx, body.name));
  if (await ctx.repo.slugExists(slug)) {
    throw conflict('slug_taken', `The address /s/${slug} is taken.`, {
      suggestion: await suggestSlugFor(ctx, slug),
    });
  }
  const coModeratorIds = await validCoModerators(ctx, actor.accountId, body.coModeratorIds);
  const { viewerAccessCode, moderatorAccessCode, ...rest } = body.settings;
  const stored: StoredSettings = { ...newSpaceSettings(defaults), ...rest };
  const now = isoNow(ctx.clock.now());
  const row: SpaceRow = {
    id: newId(),
    slug,
    name: body.name,
    description: body.description,
    ownerId: actor.accountId,
    settings: JSON.stringify(stored),
    viewerAccessCode: viewerAccessCode ?? null,
    moderatorAccessCode: moderatorAccessCode ?? null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await ctx.repo.insert(row);
  } catch (err) {
    // Two creations raced for the same slug; the unique index decided.
    if (await ctx.repo.slugExists(slug))
      throw conflict('slug_taken', `The address /s/${slug} is taken.`);
    throw err;
  }
  await ctx.repo.setCoModerators(row.id, coModeratorIds, now);
  await ctx.bus.publish({
    type: 'space.created',
    payload: { spaceId: row.id, ownerId: row.ownerId, slug },
    at: now,
  });
  return viewOf(ctx, row);
}

/** Edits a space: owners and co-moderators change name, description and settings; only the owner (or a steward) the slug and co-moderators. */
export async function updateSpace(
  ctx: SpacesContext,
  actor: Actor,
  slug: string,
  body: UpdateSpaceBody,
): Promise<SpaceView> {
  const view = await findSpaceFor(ctx, actor, slug);
  if (!can(actor, 'space.update', subjectOf(view))) throw forbidden();
  const ownerFields = body.slug !== undefined || body.coModeratorIds !== undefined;
  if (ownerFields && !can(actor, 'space.manage', subjectOf(view))) {
    throw forbidden('Only the owner changes the address or the co-moderators.');
  }
  const defaults = await getSpaceDefaults(ctx);
  const patch: Partial<SpaceRow> = {};
  if (body.settings !== undefined) {
    checkPolicy(body.settings, defaults);
    const { viewerAccessCode, moderatorAccessCode, ...rest } = body.settings;
    patch.settings = JSON.stringify({ ...parseStored(view.row, defaults), ...rest });
    if (viewerAccessCode !== undefined) patch.viewerAccessCode = viewerAccessCode;
    if (moderatorAccessCode !== undefined) patch.moderatorAccessCode = moderatorAccessCode;
  }
  if (body.name !== undefined) patch.name = body.name;
  if (body.description !== undefined) patch.description = body.description;
  if (body.slug !== undefined && body.slug !== view.row.slug) {
    refuseMixedScript(body.slug, 'whole');
    if (await ctx.repo.slugExists(body.slug)) {
      throw conflict('slug_taken', `The address /s/${body.slug} is taken.`);
    }
    patch.slug = body.slug;
  }
  const now = isoNow(ctx.clock.now());
  patch.updatedAt = now;
  await ctx.repo.update(view.row.id, patch);
  if (body.coModeratorIds !== undefined) {
    const ids = await validCoModerators(ctx, view.row.ownerId, body.coModeratorIds);
    await ctx.repo.setCoModerators(view.row.id, ids, now);
  }
  const row = await ctx.repo.findById(view.row.id);
  if (row === undefined) throw notFound('space_not_found', 'The space was deleted meanwhile.');
  const updated = await viewOf(ctx, row);
  if (body.settings !== undefined) {
    // A meeting in progress follows the new settings at once (locks, lobby, mute on join, maximum).
    const { viewerAccessCode: _v, moderatorAccessCode: _m, ...live } = updated.settings;
    await ctx.live.applySettings(row.id, live);
  }
  return updated;
}

/** Deletes a space (owner or steward); its live meeting ends for everyone. */
export async function deleteSpace(ctx: SpacesContext, actor: Actor, slug: string): Promise<void> {
  const view = await findSpaceFor(ctx, actor, slug);
  if (!can(actor, 'space.delete', subjectOf(view)))
    throw forbidden('Only the owner deletes a space.');
  await ctx.repo.delete(view.row.id);
  await ctx.live.end(view.row.id);
  await ctx.bus.publish({
    type: 'space.deleted',
    payload: { spaceId: view.row.id },
    at: isoNow(ctx.clock.now()),
  });
}

/** My spaces and the spaces I co-moderate. */
export async function listSpacesOf(
  ctx: SpacesContext,
  actor: Actor,
): Promise<{ mine: SpaceView[]; sharedWithMe: SpaceView[] }> {
  if (actor.kind !== 'account') throw unauthenticated();
  const [mine, shared] = await Promise.all([
    ctx.repo.listOwnedBy(actor.accountId),
    ctx.repo.listCoModeratedBy(actor.accountId),
  ]);
  return {
    mine: await Promise.all(mine.map((r) => viewOf(ctx, r))),
    sharedWithMe: await Promise.all(shared.map((r) => viewOf(ctx, r))),
  };
}

/** What anyone with the link may know about a space. */
export async function publicSpace(ctx: SpacesContext, slug: string): Promise<SpaceView> {
  return requireSpace(ctx, slug);
}

export interface JoinTicket {
  token: string;
  expiresAt: Date;
  role: 'viewer' | 'moderator';
  spaceId: string;
}

/**
 * The checks before a meeting: the space exists, sign-in when required, access codes (constant
 * time, rate-limited per address and per space), the meeting's lock and size. Returns a signed
 * join token (about 60 s) for the WebSocket.
 */
export async function issueJoinTicket(
  ctx: SpacesContext,
  props: { actor: Actor; slug: string; body: JoinSpaceBody; address: string },
): Promise<JoinTicket> {
  const { actor, body, address } = props;
  const view = await requireSpace(ctx, props.slug);
  const s = view.settings;
  const spaceId = view.row.id;
  const limits = ctx.joinLimits;
  if (limits !== undefined && !limits.perAddress.take(address)) {
    throw tooManyRequests('Too many joins from your address; try again in a minute.', {
      retryAfterSeconds: limits.perAddress.retryAfter(address),
    });
  }
  if (s.signInRequired && actor.kind !== 'account') {
    throw new AppError(401, 'sign_in_required', 'Sign in to join this space.');
  }
  let role: 'viewer' | 'moderator' = can(actor, 'space.moderate', subjectOf(view))
    ? 'moderator'
    : 'viewer';
  const given =
    body.accessCode !== undefined && body.accessCode !== '' ? body.accessCode : undefined;
  const codeNeeded = role === 'viewer' && s.viewerAccessCode !== null;
  const codesInPlay = s.viewerAccessCode !== null || s.moderatorAccessCode !== null;
  if (role === 'viewer' && codesInPlay && (given !== undefined || codeNeeded)) {
    const wait = await ctx.guard.retryAfter(address, spaceId);
    if (wait > 0)
      throw tooManyRequests('Too many wrong codes; try again later.', { retryAfterSeconds: wait });
    const isModeratorCode =
      given !== undefined &&
      s.moderatorAccessCode !== null &&
      codesMatch(given, s.moderatorAccessCode);
    const isViewerCode =
      given !== undefined && s.viewerAccessCode !== null && codesMatch(given, s.viewerAccessCode);
    if (isModeratorCode) role = 'moderator';
    else if (!isViewerCode) {
      if (given !== undefined) await ctx.guard.recordFailure(address, spaceId);
      throw new AppError(
        403,
        'access_code_invalid',
        given === undefined ? 'This space needs an access code.' : 'The access code is not right.',
        { required: codeNeeded },
      );
    }
  }
  if (s.everyoneJoinsAsModerator) role = 'moderator';
  const guest = actor.kind !== 'account';
  // Guests from every address together: a flood cannot mint tickets without end. Members and
  // moderators are not held by it, so they still get in while it lasts.
  if (limits !== undefined && guest && role !== 'moderator') {
    if (!limits.guestsPerSpace.take(spaceId)) {
      throw tooManyRequests('Too many guests are joining this space; try again in a minute.', {
        retryAfterSeconds: limits.guestsPerSpace.retryAfter(spaceId),
      });
    }
  }
  const live = await ctx.live.status(spaceId);
  if (live !== undefined) {
    if (live.locked && role !== 'moderator') {
      throw new AppError(403, 'space_locked', 'The meeting is locked.');
    }
    // As the meeting decides: the lobby has its own bound and takes no seats.
    const toLobby =
      role !== 'moderator' &&
      (s.lobby === 'everyone_but_moderators' || (s.lobby === 'guests' && guest));
    if (toLobby && live.lobby >= SIGNAL_LIMITS.maxLobby) {
      throw new AppError(409, 'lobby_full', 'The lobby is full; try again later.', {
        max: SIGNAL_LIMITS.maxLobby,
      });
    }
    if (!toLobby && s.maxParticipants !== null && live.participants >= s.maxParticipants) {
      throw new AppError(409, 'meeting_full', 'The meeting is full.', { max: s.maxParticipants });
    }
  }
  const { token, expiresAt } = signJoinToken(
    ctx.config.sessionSecret,
    {
      sid: spaceId,
      role,
      // A member is shown by their account's name, so nobody can pass for another member; a
      // guest's name is theirs to choose (the roster marks them as not signed in).
      name: actor.kind === 'account' ? actor.name : body.name,
      aid: actor.kind === 'account' ? actor.accountId : null,
      ...(guest && body.guestKey !== undefined
        ? { gk: guestKeyHash(ctx.config.sessionSecret, spaceId, body.guestKey) }
        : {}),
    },
    ctx.clock.now(),
  );
  return { token, expiresAt, role, spaceId };
}
