/**
 * Named WebSocket close codes of the signalling socket, shared by server and client. The client
 * decides from the code whether to reconnect (see `shouldReconnect`). 1000-1015 are the standard
 * codes; ours are in the 4000 range reserved for applications.
 */
export const CloseCodes = {
  /** Normal end: the client left. */
  normal: 1000,
  /** The server is shutting down or restarting: reconnect with the resume token, or rejoin. */
  goingAway: 1001,
  /** A frame above the hard size limit (the ws library closes with this itself). */
  messageTooBig: 1009,
  /** Unexpected server failure. */
  internalError: 1011,
  /** No `join`/`resume` arrived in time after the socket opened. */
  joinTimeout: 4001,
  /** The join token is malformed or its signature is wrong. */
  tokenInvalid: 4002,
  /** The join token expired (they last about 60 s): ask for a new one with POST …/join. */
  tokenExpired: 4003,
  /** The space does not exist (deleted). */
  spaceNotFound: 4004,
  /** Too many malformed or refused messages. */
  tooManyErrors: 4005,
  /** Too many messages per second. */
  flood: 4006,
  /** A moderator removed this participant. */
  removed: 4007,
  /** A moderator denied entry from the lobby. */
  denied: 4008,
  /** A moderator ended the meeting for everyone (or the space was deleted). */
  meetingEnded: 4009,
  /** The same participant resumed on another socket; this one is obsolete. */
  replaced: 4010,
  /** The resume token is unknown or its grace period (15 s) is over: join again. */
  resumeFailed: 4011,
  /** The meeting is full. */
  meetingFull: 4012,
  /** The meeting is locked to non-moderators. */
  spaceLocked: 4013,
  /** Too many sockets from this address (SIGNAL_LIMITS.socketsPerAddress and per minute). */
  rateLimited: 4014,
  /** The lobby is full (SIGNAL_LIMITS.maxLobby). */
  lobbyFull: 4015,
} as const;

export type CloseCodeName = keyof typeof CloseCodes;
export type CloseCode = (typeof CloseCodes)[CloseCodeName];

/** The name of a close code, for logs and i18n keys (`close.<name>`). */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return (Object.keys(CloseCodes) as CloseCodeName[]).find((k) => CloseCodes[k] === code);
}

/**
 * Whether a client should try to come back by itself after the socket closed with this code:
 * network trouble and server restarts yes (resume within 15 s, else join again); decisions of a
 * moderator, bad tokens and abuse no.
 */
export function shouldReconnect(code: number): boolean {
  return (
    code === CloseCodes.goingAway ||
    code === CloseCodes.internalError ||
    code === 1005 /* no status */ ||
    code === 1006 /* abnormal: the network dropped */
  );
}
