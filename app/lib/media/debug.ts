/**
 * A small read-only debug API on `window.commonhallMedia` for the meeting in this tab: what
 * browser tests (and a curious operator in the console) need to see that media really flows,
 * without handing out the peer connections themselves.
 */
import type { InboundTrackStats, MeetingClient, MeetingStatus } from './meeting-client';

export interface MediaDebugApi {
  status(): MeetingStatus | 'none';
  selfId(): string | null;
  inbound(): Promise<InboundTrackStats[]>;
  connectionStates(): { publish: string | null; subscribe: string | null };
  /** The last error the server sent (code: message), or null. */
  lastError(): string | null;
  /** Abandons the signalling socket as a network drop would (the client then comes back). */
  dropConnection(): void;
}

declare global {
  interface Window {
    commonhallMedia?: MediaDebugApi;
  }
}

let current: MeetingClient | null = null;

/** Points the debug API at the meeting client now in use (null when none). */
export function exposeMeetingClient(client: MeetingClient | null): void {
  current = client;
  window.commonhallMedia ??= {
    status: () => current?.getState().status ?? 'none',
    selfId: () => current?.getState().self?.id ?? null,
    inbound: async () => (current === null ? [] : current.inboundStats()),
    connectionStates: () => current?.connectionStates() ?? { publish: null, subscribe: null },
    dropConnection: () => current?.dropConnection(),
    lastError: () => current?.lastError ?? null,
  };
}
