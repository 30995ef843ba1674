/**
 * The signalling protocol between a browser and the server, over one WebSocket at `/ws`.
 * One zod schema per direction; both ends validate every message with it.
 *
 * ## How a meeting goes (for a UI engineer)
 * 1. `POST /api/v1/spaces/:slug/join` → `{token, wsPath, iceServers, role}` (or an error code:
 *    access_code_invalid, space_locked, meeting_full, lobby_full, sign_in_required, space_not_found,
 *    rate_limited: SIGNAL_LIMITS bounds tickets per address and guest tickets per space).
 * 2. Open `new WebSocket(wsPath)` on the same origin and send `{type:'join', token}` within ~60 s
 *    (the token expires) and within 10 s of opening (else close 4001 `joinTimeout`).
 * 3. The server answers `joined` with your participant, a `resumeToken`, and your `phase`:
 *    - `waiting_for_moderator`: the space needs a moderator to open the meeting; wait, you will get
 *      `phase {phase:'meeting'}` (or `'lobby'`) by yourself when one arrives;
 *    - `lobby`: a moderator must admit you; you get `phase {phase:'meeting'}` or `ended {reason:'denied'}`;
 *    - `meeting`: you are in.
 *    Every phase change arrives as a `phase` message.
 * 4. In the meeting you get a `roster` snapshot (everyone, hands queue, lock, lobby for moderators,
 *    chat so far), then incremental `participant_joined` / `participant_updated` / `participant_left`,
 *    `hands`, `lobby_added` / `lobby_removed` (a whole `lobby` only on becoming a moderator or a
 *    resume), `chat`, `meeting_updated`, `rules`, `active_speakers`, `bitrate_cap`.
 * 5. Media (never trickled: send complete SDPs after ICE gathering finished):
 *    - publish: create a sendonly RTCPeerConnection with your microphone/camera(/screen), wait for
 *      gathering to complete, send `publish {sdp, sources}` where `sources` maps each m-line's mid
 *      to `microphone` | `camera` | `screen` (the microphone on an audio m-line, the camera and the
 *      screen on video ones, each on one m-line at most: else `error {code:'invalid_sources'}`);
 *      apply the `publish_answer`. Send `publish` again to renegotiate (screen share
 *      started/stopped, camera added).
 *    - subscribe: the server sends `subscriber_offer {sdp}` (first one, and again whenever tracks
 *      change); answer on a recvonly RTCPeerConnection with `subscriber_answer {sdp}`. Apply the
 *      offer without its `a=candidate` lines and add those after the `pong {ref}` to a `ping {ref}`
 *      sent right after the answer: ICE must not reach the SFU before it took the answer. Each
 *      remote track's stream id is the publisher's participant id; the track id is
 *      `<participantId>:<source>`.
 *    - `error {code:'media_failed', connection}` names the PC that failed: start only that one
 *      over (see the `error` message).
 *    - the subscribe PC broke after it had connected (`failed`, or `disconnected` for a few
 *      seconds): close it and send `resubscribe`; the server replaces its side and sends the fresh
 *      PC's `subscriber_offer` (new ICE credentials: take it on a fresh RTCPeerConnection). At most
 *      one per SIGNAL_LIMITS.resubscribeIntervalMs, else `error {code:'rate_limited'}` (ask again
 *      later). The server also replaces its side by itself when it sees it break: an offer with
 *      new ICE credentials can come unasked.
 * 6. State changes: `set_microphone`, `set_camera`, `screen_share`, `hand`, `chat`. A moderator's
 *    mute arrives as `participant_updated` for yourself with `microphone:false` (turn your mic off).
 * 7. Leaving: send `leave` (or close the socket with 1000). If the socket drops otherwise, your
 *    place is kept for 15 s: open a new socket and send `{type:'resume', resumeToken}` — same
 *    identity, same phase; then publish again (media renegotiates). Use `shouldReconnect(code)`
 *    from close-codes.ts to decide; after a server restart resume fails (4011), so join again.
 *    A socket the browser closes with 1001 (going away: the page closed, crashed or navigated)
 *    lets the place go at once, as does a new join by the same account while the place waits.
 *
 * Any message may carry `ref` (your own string); an `error` answering it echoes the `ref`.
 * Malformed, oversized or out-of-order messages get `error {code}`; too many of them (or too many
 * messages per second) close the socket (4005 / 4006).
 */
import { z } from 'zod';

/** Caps, so the UI can say them before the server refuses. */
export const SIGNAL_LIMITS = {
  /** A message above this gets `error {code:'message_too_large'}`. */
  maxMessageBytes: 64 * 1024,
  /** A frame above this closes the socket (1009). */
  maxFrameBytes: 1024 * 1024,
  maxSdpLength: 60_000,
  maxChatLength: 2000,
  /** Messages per second allowed on average (burst: twice as many). */
  messagesPerSecond: 30,
  /** Errors tolerated before the socket is closed (4005). */
  maxErrors: 20,
  /** Time to send `join` or `resume` after opening. */
  joinTimeoutMs: 10_000,
  /** How long a dropped participant's place is kept for `resume`. */
  resumeGraceMs: 15_000,
  /** Chat messages a roster carries at most. */
  chatHistory: 200,
  /** `resubscribe` at most once per this long per participant (else `rate_limited`). */
  resubscribeIntervalMs: 5_000,
  /**
   * People waiting in a meeting's lobby (or waiting for a moderator before they would queue there)
   * at most; the next one is refused with `lobby_full`. The lobby does not count toward the
   * space's maximum of participants, which only counts those in the meeting.
   */
  maxLobby: 100,
  /** Join tickets (POST …/join) one address may take per minute (else 429 `rate_limited`). */
  joinTicketsPerAddressPerMinute: 30,
  /** Guest join tickets one space hands out per minute, from every address together. */
  guestJoinTicketsPerSpacePerMinute: 120,
  /** Signalling sockets one address may have open at once (else closed 4014 `rateLimited`). */
  socketsPerAddress: 40,
  /** Signalling sockets one address may open per minute (joins and resumes). */
  socketOpensPerAddressPerMinute: 60,
} as const;

export const trackSources = ['microphone', 'camera', 'screen'] as const;
export type TrackSourceName = (typeof trackSources)[number];

/** A participant's two peer connections: what it sends, and what it receives. */
export const mediaConnections = ['publish', 'subscribe'] as const;
export type MediaConnection = (typeof mediaConnections)[number];

export const participantRoles = ['viewer', 'moderator'] as const;
export type ParticipantRole = (typeof participantRoles)[number];

/** Where a participant is: waiting for a moderator to open the meeting, in the lobby, or in. */
export const phases = ['waiting_for_moderator', 'lobby', 'meeting'] as const;
export type Phase = (typeof phases)[number];

const id = z.string().min(1).max(64);
const ref = z.string().max(64).optional();
const sdp = z.string().min(1).max(SIGNAL_LIMITS.maxSdpLength);

/** A participant as everyone in the meeting sees them. */
export const participantSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: z.enum(participantRoles),
  /** Signed in with an account (guests are not). */
  signedIn: z.boolean(),
  /** Microphone on (unmuted). */
  microphone: z.boolean(),
  camera: z.boolean(),
  /** Sharing their screen. */
  screen: z.boolean(),
  /** When the hand went up (ISO time), null when down. Order of the queue: see `hands`. */
  handRaisedAt: z.string().nullable(),
  /** `reconnecting` while their socket is down (up to 15 s). */
  connection: z.enum(['connected', 'reconnecting']),
  joinedAt: z.string(),
});
export type ParticipantInfo = z.infer<typeof participantSchema>;

/** A person waiting in the lobby (moderators see these). */
export const lobbyEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  signedIn: z.boolean(),
  since: z.string(),
});
export type LobbyEntry = z.infer<typeof lobbyEntrySchema>;

export const chatMessageSchema = z.object({
  id: z.string(),
  /** The sender's participant id (null for chat kept from an earlier meeting). */
  from: z.string().nullable(),
  name: z.string(),
  text: z.string(),
  /** ISO time the server received it. */
  at: z.string(),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

/** The space's meeting rules a client needs to draw its controls. */
export const meetingRulesSchema = z.object({
  muteOnJoin: z.boolean(),
  lockCamera: z.boolean(),
  lockMicrophone: z.boolean(),
  lockChat: z.boolean(),
  lockScreenShare: z.boolean(),
});
export type MeetingRules = z.infer<typeof meetingRulesSchema>;

// ───────────────────────────── client → server ─────────────────────────────

/** Every message a client may send. Unknown fields are refused (`invalid_message`). */
export const clientMessageSchema = z.discriminatedUnion('type', [
  /** First message: the token from POST …/join. */
  z.strictObject({ type: z.literal('join'), token: z.string().min(1).max(4096), ref }),
  /** First message after a drop: the `resumeToken` from `joined` (within 15 s). */
  z.strictObject({ type: z.literal('resume'), resumeToken: z.string().min(1).max(200), ref }),
  /** The publish PC's complete offer; `sources` maps mid → source. Answered by `publish_answer`. */
  z.strictObject({
    type: z.literal('publish'),
    sdp,
    sources: z.record(z.string().min(1).max(32), z.enum(trackSources)),
    ref,
  }),
  /** The answer to the last `subscriber_offer`. */
  z.strictObject({ type: z.literal('subscriber_answer'), sdp, ref }),
  /**
   * The subscribe PC broke after it had connected: asks for a fresh one (its offer follows as
   * `subscriber_offer`). Rate-limited (SIGNAL_LIMITS.resubscribeIntervalMs).
   */
  z.strictObject({ type: z.literal('resubscribe'), ref }),
  /** Mute (`on:false`) or unmute yourself. */
  z.strictObject({ type: z.literal('set_microphone'), on: z.boolean(), ref }),
  /** Camera on or off. */
  z.strictObject({ type: z.literal('set_camera'), on: z.boolean(), ref }),
  /** Screen share started or stopped (send `publish` to renegotiate as well). */
  z.strictObject({ type: z.literal('screen_share'), on: z.boolean(), ref }),
  /** A chat message to everyone. */
  z.strictObject({
    type: z.literal('chat'),
    text: z.string().trim().min(1).max(SIGNAL_LIMITS.maxChatLength),
    ref,
  }),
  /** Raise (`raised:true`) or lower your hand. */
  z.strictObject({ type: z.literal('hand'), raised: z.boolean(), ref }),
  /** Moderator: let someone in from the lobby. */
  z.strictObject({ type: z.literal('admit'), participantId: id, ref }),
  /** Moderator: refuse someone in the lobby. */
  z.strictObject({ type: z.literal('deny'), participantId: id, ref }),
  /** Moderator: mute one participant (they may unmute unless the microphone is locked). */
  z.strictObject({ type: z.literal('mute'), participantId: id, ref }),
  /** Moderator: mute everyone but moderators. */
  z.strictObject({ type: z.literal('mute_all'), ref }),
  /** Moderator: remove someone from the meeting. */
  z.strictObject({ type: z.literal('remove'), participantId: id, ref }),
  /** Moderator: promote to moderator or demote to viewer. */
  z.strictObject({
    type: z.literal('set_role'),
    participantId: id,
    role: z.enum(participantRoles),
    ref,
  }),
  /** Moderator: lower one participant's hand, or every hand when participantId is left out. */
  z.strictObject({ type: z.literal('lower_hands'), participantId: id.optional(), ref }),
  /** Moderator: lock (no new non-moderators) or unlock the meeting. */
  z.strictObject({ type: z.literal('lock'), locked: z.boolean(), ref }),
  /** Moderator: end the meeting for everyone. */
  z.strictObject({ type: z.literal('end_meeting'), ref }),
  /** Leave the meeting (the server closes the socket with 1000). */
  z.strictObject({ type: z.literal('leave'), ref }),
  /** Keep-alive; answered by `pong`. */
  z.strictObject({ type: z.literal('ping'), ref }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageType = ClientMessage['type'];
export const clientMessageTypes: readonly string[] = clientMessageSchema.options.map(
  (o): ClientMessageType => o.shape.type.value,
);

// ───────────────────────────── server → client ─────────────────────────────

/** Codes of `error` messages (and the i18n keys `errors.<code>` in the spaces namespace). */
export const signalErrorCodes = [
  /** Not JSON. */
  'invalid_json',
  /** JSON without a known `type`. */
  'unknown_type',
  /** A known type with wrong or extra fields. */
  'invalid_message',
  /** Above SIGNAL_LIMITS.maxMessageBytes. */
  'message_too_large',
  /** Not allowed now (e.g. `publish` before `joined`, `join` twice, media while in the lobby). */
  'out_of_order',
  /** Moderators only. */
  'not_moderator',
  'participant_not_found',
  /** A moderator locked this for non-moderators (camera, microphone, chat, screen share). */
  'locked_by_moderator',
  /** The media engine refused the SDP. */
  'media_failed',
  /**
   * `publish` labels an m-line with a source of the other kind (the microphone is audio, the
   * camera and the screen are video), or labels two m-lines with one source.
   */
  'invalid_sources',
  'token_invalid',
  'token_expired',
  'space_not_found',
  'meeting_full',
  'space_locked',
  /** The lobby holds SIGNAL_LIMITS.maxLobby people already: try again later. */
  'lobby_full',
  'resume_failed',
  /**
   * Slow down (chat; `resubscribe` sooner than SIGNAL_LIMITS.resubscribeIntervalMs; too many
   * sockets from one address, then closed with 4014).
   */
  'rate_limited',
  'internal_error',
] as const;
export type SignalErrorCode = (typeof signalErrorCodes)[number];

export const serverMessageSchema = z.discriminatedUnion('type', [
  /** You are in the space: who you are, the token to resume with, where you are. */
  z.object({
    type: z.literal('joined'),
    self: participantSchema,
    resumeToken: z.string(),
    phase: z.enum(phases),
    space: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
    rules: meetingRulesSchema,
  }),
  /** Your phase changed (e.g. a moderator arrived, or you were admitted). */
  z.object({ type: z.literal('phase'), phase: z.enum(phases) }),
  /** The whole meeting, sent on entering it (and after a resume). */
  z.object({
    type: z.literal('roster'),
    participants: z.array(participantSchema),
    /** Raised hands in order (participant ids, first raised first). */
    hands: z.array(z.string()),
    locked: z.boolean(),
    /** People waiting in the lobby (moderators only; empty for others). */
    lobby: z.array(lobbyEntrySchema),
    chat: z.array(chatMessageSchema),
    activeSpeakers: z.array(z.string()),
  }),
  z.object({ type: z.literal('participant_joined'), participant: participantSchema }),
  z.object({ type: z.literal('participant_updated'), participant: participantSchema }),
  z.object({
    type: z.literal('participant_left'),
    participantId: z.string(),
    reason: z.enum(['left', 'removed', 'timeout', 'ended']),
  }),
  /**
   * Everyone in the lobby (moderators only), sent when you become a moderator and after a resume;
   * the roster carries it too. Changes come as `lobby_added` / `lobby_removed`.
   */
  z.object({ type: z.literal('lobby'), waiting: z.array(lobbyEntrySchema) }),
  /** Someone started waiting in the lobby (moderators only): add them at the end. */
  z.object({ type: z.literal('lobby_added'), entry: lobbyEntrySchema }),
  /** People left the lobby (admitted, denied or gone; moderators only): take them out. */
  z.object({ type: z.literal('lobby_removed'), participantIds: z.array(z.string()) }),
  /** The raised-hands queue changed. */
  z.object({ type: z.literal('hands'), queue: z.array(z.string()) }),
  z.object({ type: z.literal('chat'), message: chatMessageSchema }),
  z.object({ type: z.literal('meeting_updated'), locked: z.boolean() }),
  /**
   * The space's settings changed while the meeting runs (the owner saved them, or a steward changed
   * the site's defaults): the new rules (in any phase).
   * A lock that now applies to you also arrives as `participant_updated` with that source off.
   */
  z.object({ type: z.literal('rules'), rules: meetingRulesSchema }),
  z.object({ type: z.literal('publish_answer'), sdp: z.string() }),
  z.object({ type: z.literal('subscriber_offer'), sdp: z.string() }),
  /** Loudest first. */
  z.object({ type: z.literal('active_speakers'), participantIds: z.array(z.string()) }),
  /** Keep your camera's bitrate under this (RTCRtpSender.setParameters maxBitrate). */
  z.object({ type: z.literal('bitrate_cap'), bitsPerSecond: z.number() }),
  /** The meeting is over for you; the socket closes next with the matching close code. */
  z.object({
    type: z.literal('ended'),
    reason: z.enum(['ended_by_moderator', 'removed', 'denied', 'space_deleted']),
  }),
  z.object({
    type: z.literal('error'),
    code: z.enum(signalErrorCodes),
    message: z.string(),
    /**
     * With `media_failed`: the peer connection that failed. `subscribe`: your answer to the last
     * `subscriber_offer` was refused; close the subscribe PC and take the next `subscriber_offer`
     * (the server sends that offer again once) on a fresh one. Publishing is unaffected.
     * `publish`: your offer was refused, or the server dropped your media altogether (a
     * connection never completed; a `subscribe` error comes first when it was that one): start
     * the publish PC over with a fresh offer; a fresh `subscriber_offer` follows. Left out by
     * older servers: treat as `publish`.
     */
    connection: z.enum(mediaConnections).optional(),
    /** The `ref` of the message this answers, if it had one. */
    ref: z.string().optional(),
  }),
  /** Answers `ping`, with its `ref` (messages are handled in order: all before it are done). */
  z.object({ type: z.literal('pong'), ref: z.string().optional() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

export type ParseResult =
  | { ok: true; message: ClientMessage }
  | {
      ok: false;
      code: 'invalid_json' | 'unknown_type' | 'invalid_message' | 'message_too_large';
      message: string;
      ref?: string;
    };

/**
 * Parses one text frame from a client: size, JSON, type, fields — in that order, so the error
 * code says what was wrong.
 */
export function parseClientMessage(text: string): ParseResult {
  // Characters can be up to 3 bytes in UTF-16→UTF-8; the exact check is cheap enough.
  if (
    text.length > SIGNAL_LIMITS.maxMessageBytes ||
    new TextEncoder().encode(text).length > SIGNAL_LIMITS.maxMessageBytes
  ) {
    return {
      ok: false,
      code: 'message_too_large',
      message: `Messages are limited to ${SIGNAL_LIMITS.maxMessageBytes} bytes.`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', message: 'The message is not valid JSON.' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      code: 'invalid_message',
      message: 'A message is a JSON object with a type.',
    };
  }
  const obj = raw as Record<string, unknown>;
  const givenRef = typeof obj.ref === 'string' && obj.ref.length <= 64 ? obj.ref : undefined;
  if (typeof obj.type !== 'string' || !clientMessageTypes.includes(obj.type)) {
    return {
      ok: false,
      code: 'unknown_type',
      message: `Unknown message type ${JSON.stringify(String(obj.type)).slice(0, 80)}.`,
      ...(givenRef !== undefined ? { ref: givenRef } : {}),
    };
  }
  const parsed = clientMessageSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      code: 'invalid_message',
      message: `Invalid ${obj.type} message${issue !== undefined ? `: ${issue.path.join('.') || '(message)'} ${issue.message}` : ''}.`,
      ...(givenRef !== undefined ? { ref: givenRef } : {}),
    };
  }
  return { ok: true, message: parsed.data };
}
