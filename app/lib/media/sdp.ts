/**
 * Small SDP readers for the client. The server names every forwarded track with
 * `a=msid:<participantId> <participantId>:<source>`; we map each m-line's mid to that pair so an
 * incoming track can be placed without relying on the browser's remote track ids.
 */
import { trackSources, type TrackSourceName } from '@common/protocol';

export interface RemoteTrackInfo {
  participantId: string;
  source: TrackSourceName;
}

function isSource(s: string): s is TrackSourceName {
  return (trackSources as readonly string[]).includes(s);
}

/** mid → who and what, read from a subscriber offer's `a=mid` and `a=msid` lines. */
export function remoteTracksByMid(sdp: string): Map<string, RemoteTrackInfo> {
  const out = new Map<string, RemoteTrackInfo>();
  const sections = sdp.split(/\r?\nm=/).slice(1);
  for (const section of sections) {
    const mid = /\r?\na=mid:(\S+)/.exec(section)?.[1];
    const msid = /\r?\na=msid:(\S+) (\S+)/.exec(section);
    if (mid === undefined || msid === null) continue;
    const streamId = msid[1] ?? '';
    const trackId = msid[2] ?? '';
    const i = trackId.lastIndexOf(':');
    const source = i >= 0 ? trackId.slice(i + 1) : '';
    const participantId = i >= 0 ? trackId.slice(0, i) : streamId;
    if (!isSource(source)) continue;
    out.set(mid, { participantId: participantId === '' ? streamId : participantId, source });
  }
  return out;
}

/**
 * Takes the ICE candidates out of a subscriber offer, to be added once the server has applied our
 * answer: a browser that starts ICE earlier can reach the SFU before it holds our fingerprint,
 * and libdatachannel then fails the DTLS handshake for good (an answer the server refused would
 * leave its connection unusable for the fresh one that follows).
 */
export function holdBackCandidates(sdp: string): {
  sdp: string;
  candidates: RTCIceCandidateInit[];
} {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const candidates: RTCIceCandidateInit[] = [];
  let index = -1;
  let mid: string | undefined;
  const kept: string[] = [];
  const sectionCandidates: string[] = [];
  const flush = () => {
    for (const c of sectionCandidates.splice(0)) {
      candidates.push({
        candidate: c,
        sdpMLineIndex: index,
        ...(mid !== undefined ? { sdpMid: mid } : {}),
      });
    }
  };
  for (const line of lines) {
    if (line.startsWith('m=')) {
      flush();
      index += 1;
      mid = undefined;
    } else if (line.startsWith('a=mid:')) {
      mid = line.slice('a=mid:'.length).trim();
    }
    if (index >= 0 && line.startsWith('a=candidate:')) {
      sectionCandidates.push(line.slice(2));
      continue;
    }
    if (index >= 0 && line === 'a=end-of-candidates') continue;
    kept.push(line);
  }
  flush();
  return { sdp: kept.join(eol), candidates };
}
