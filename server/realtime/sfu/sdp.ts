/**
 * SDP handling for the engine: filtering a browser's publish offer down to what the SFU
 * forwards, reading which SSRCs and payload types each m-line uses, and putting the announced
 * address into the candidates we hand out. Pure string work.
 */
import type { TrackSource } from './engine';
import { AUDIO_LEVEL_URI } from './rtp';

/** Header extensions we let through; everything else is stripped from publish offers. */
const KEPT_EXTENSIONS = new Set([
  'urn:ietf:params:rtp-hdrext:sdes:mid',
  AUDIO_LEVEL_URI,
  'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'urn:ietf:params:rtp-hdrext:toffset',
  'urn:3gpp:video-orientation',
  'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
]);

interface Section {
  /** The m= line split into fields. */
  m: string[];
  lines: string[];
}

function splitSdp(sdp: string): { session: string[]; sections: Section[] } {
  const all = sdp.split(/\r?\n/).filter((l) => l.length > 0);
  const session: string[] = [];
  const sections: Section[] = [];
  for (const line of all) {
    if (line.startsWith('m=')) sections.push({ m: line.slice(2).split(' '), lines: [] });
    else if (sections.length === 0) session.push(line);
    else sections[sections.length - 1]!.lines.push(line);
  }
  return { session, sections };
}

function joinSdp(session: string[], sections: Section[]): string {
  const out = [...session];
  for (const s of sections) out.push(`m=${s.m.join(' ')}`, ...s.lines);
  return out.join('\r\n') + '\r\n';
}

/** Payload type referenced by an attribute line like `a=rtpmap:96 …`, `a=fmtp:96 …`, `a=rtcp-fb:96 …`. */
function linePt(line: string): number | undefined {
  const m = /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+|\*)[ ]/.exec(line);
  if (m === null) return undefined;
  return m[1] === '*' ? -1 : Number(m[1]);
}

/**
 * Keeps only VP8 (+ its RTX) in video and Opus in audio; strips RED, ulpfec, transport-cc and
 * unknown header extensions and simulcast; adds `usedtx=1` to Opus so silent microphones send
 * almost nothing; makes every m-line send-only from the browser. Sections without a kept codec
 * are rejected (port 0). Throws on an SDP without m-lines.
 */
export function filterPublishOffer(sdp: string): string {
  const { session, sections } = splitSdp(sdp);
  if (sections.length === 0) throw new Error('offer has no media sections');
  for (const s of sections) {
    const kind = s.m[0];
    const pts = s.m.slice(3).map(Number);
    const codecOf = new Map<number, string>();
    const aptOf = new Map<number, number>();
    for (const l of s.lines) {
      const r = /^a=rtpmap:(\d+) ([^/]+)\//.exec(l);
      if (r) codecOf.set(Number(r[1]), r[2]!.toLowerCase());
      const f = /^a=fmtp:(\d+) .*apt=(\d+)/.exec(l);
      if (f) aptOf.set(Number(f[1]), Number(f[2]));
    }
    const main = kind === 'video' ? 'vp8' : kind === 'audio' ? 'opus' : undefined;
    const keep = new Set<number>();
    for (const pt of pts) if (main !== undefined && codecOf.get(pt) === main) keep.add(pt);
    for (const pt of pts) {
      const apt = aptOf.get(pt);
      if (codecOf.get(pt) === 'rtx' && apt !== undefined && keep.has(apt)) keep.add(pt);
    }
    if (keep.size === 0) {
      // Nothing we forward (data channel, unsupported codec): reject the section.
      s.m[1] = '0';
      continue;
    }
    s.m = [...s.m.slice(0, 3), ...pts.filter((pt) => keep.has(pt)).map(String)];
    s.lines = s.lines
      .filter((l) => {
        const pt = linePt(l);
        if (pt !== undefined && pt !== -1 && !keep.has(pt)) return false;
        if (/transport-cc|transport-wide-cc/.test(l)) return false;
        if (l.startsWith('a=extmap:')) return KEPT_EXTENSIONS.has(l.split(' ')[1] ?? '');
        if (l.startsWith('a=rid:') || l.startsWith('a=simulcast:')) return false;
        return true;
      })
      .map((l) => {
        if (l === 'a=sendrecv') return 'a=sendonly';
        const f = /^a=fmtp:(\d+) (.*)$/.exec(l);
        if (f && codecOf.get(Number(f[1])) === 'opus' && !/usedtx=1/.test(f[2]!)) {
          return `a=fmtp:${f[1]} ${f[2]!.replace(/;?usedtx=0/, '')};usedtx=1`;
        }
        return l;
      });
    // An Opus section without any fmtp still gets DTX.
    if (kind === 'audio') {
      for (const pt of keep) {
        if (codecOf.get(pt) === 'opus' && !s.lines.some((l) => l.startsWith(`a=fmtp:${pt} `))) {
          const at = s.lines.findIndex((l) => l.startsWith(`a=rtpmap:${pt} `));
          s.lines.splice(at + 1, 0, `a=fmtp:${pt} minptime=10;useinbandfec=1;usedtx=1`);
        }
      }
    }
  }
  return joinSdp(session, sections);
}

/** What one m-line of a publish offer carries, as far as forwarding needs to know. */
export interface MediaSectionInfo {
  mid: string;
  kind: 'audio' | 'video';
  /** False for rejected (port 0) or inactive/recvonly sections. */
  sending: boolean;
  /** Primary (media) SSRC, or undefined when the offer names none. */
  ssrc: number | undefined;
  /** RTX SSRC from `a=ssrc-group:FID`, if any. */
  rtxSsrc: number | undefined;
  /** Payload type of VP8 / Opus. */
  payloadType: number | undefined;
  /** Payload type of the RTX format, if kept. */
  rtxPayloadType: number | undefined;
  /** Header extension id of the audio level, if negotiated. */
  audioLevelId: number | undefined;
}

/** Reads every audio/video m-line of an SDP (use it on the filtered offer). */
export function describeSections(sdp: string): MediaSectionInfo[] {
  const out: MediaSectionInfo[] = [];
  for (const s of splitSdp(sdp).sections) {
    const kind = s.m[0];
    if (kind !== 'audio' && kind !== 'video') continue;
    let mid = '';
    let direction = 'sendrecv';
    let ssrc: number | undefined;
    let rtxSsrc: number | undefined;
    let payloadType: number | undefined;
    let rtxPayloadType: number | undefined;
    let audioLevelId: number | undefined;
    for (const l of s.lines) {
      if (l.startsWith('a=mid:')) mid = l.slice(6).trim();
      else if (/^a=(sendrecv|sendonly|recvonly|inactive)$/.test(l)) direction = l.slice(2);
      else if (l.startsWith('a=ssrc-group:FID ')) {
        const [, a, b] = l.split(' ');
        ssrc = Number(a);
        rtxSsrc = Number(b);
      } else if (l.startsWith('a=ssrc:') && ssrc === undefined) {
        ssrc = Number(l.slice(7).split(' ')[0]);
      } else if (l.startsWith('a=rtpmap:')) {
        const r = /^a=rtpmap:(\d+) ([^/]+)\//.exec(l);
        if (r) {
          const codec = r[2]!.toLowerCase();
          if (codec === 'rtx') rtxPayloadType ??= Number(r[1]);
          else if (codec === 'vp8' || codec === 'opus') payloadType ??= Number(r[1]);
        }
      } else if (l.startsWith('a=extmap:')) {
        const [idPart, uri] = l.slice(9).split(' ');
        if (uri === AUDIO_LEVEL_URI) audioLevelId = Number(idPart!.split('/')[0]);
      }
    }
    out.push({
      mid,
      kind,
      sending: s.m[1] !== '0' && (direction === 'sendonly' || direction === 'sendrecv'),
      ssrc: ssrc !== undefined && Number.isFinite(ssrc) ? ssrc : undefined,
      rtxSsrc: rtxSsrc !== undefined && Number.isFinite(rtxSsrc) ? rtxSsrc : undefined,
      payloadType,
      rtxPayloadType,
      audioLevelId,
    });
  }
  return out;
}

/**
 * Puts `announced` in place of the address of every candidate and `c=` line we hand out (a
 * server behind NAT), dropping candidates that become duplicates.
 */
export function announceAddress(sdp: string, announced: string): string {
  const ip6 = announced.includes(':');
  const seen = new Set<string>();
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    if (line.startsWith('a=candidate:')) {
      const f = line.split(' ');
      if (f.length > 5) f[4] = announced;
      // Same component, transport, address, port and type: a duplicate after the rewrite.
      const key = [f[1], f[2], f[4], f[5], f[7]].join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f.join(' '));
      continue;
    }
    if (line.startsWith('m=')) seen.clear();
    if (line.startsWith('c=IN ')) {
      out.push(`c=IN ${ip6 ? 'IP6' : 'IP4'} ${announced}`);
      continue;
    }
    out.push(line);
  }
  return out.join('\r\n');
}

/** The kind of m-line each source must be carried on. */
const KIND_OF_SOURCE: Readonly<Record<TrackSource, 'audio' | 'video'>> = {
  microphone: 'audio',
  camera: 'video',
  screen: 'video',
};

/** The source an m-line carries: its label, or by its kind when the publisher gave none. */
export function sourceOf(
  section: Pick<MediaSectionInfo, 'mid' | 'kind'>,
  sources: Readonly<Record<string, TrackSource>>,
): TrackSource {
  return sources[section.mid] ?? (section.kind === 'audio' ? 'microphone' : 'camera');
}

/** True for an m-line the engine makes a publication of (it sends, with an SSRC and a codec). */
export function carriesMedia(section: MediaSectionInfo): boolean {
  return section.sending && section.ssrc !== undefined && section.payloadType !== undefined;
}

/**
 * Why a publish's mid → source labels cannot be taken, or undefined when they can: a label must
 * name an m-line of its kind (the microphone audio, the camera and the screen video), and each
 * source is carried by at most one m-line. Moderation (mute, the microphone and camera locks) and
 * last-N act on sources, so a mislabelled m-line would escape them. Labels for mids the offer
 * does not have are ignored.
 */
export function sourcesProblem(
  sections: readonly MediaSectionInfo[],
  sources: Readonly<Record<string, TrackSource>>,
): string | undefined {
  const carried = new Map<TrackSource, string>();
  for (const s of sections) {
    const source = sourceOf(s, sources);
    if (KIND_OF_SOURCE[source] !== s.kind) {
      return `the ${s.kind} m-line ${s.mid} cannot carry the ${source}`;
    }
    if (!carriesMedia(s)) continue;
    const other = carried.get(source);
    if (other !== undefined) return `the m-lines ${other} and ${s.mid} both carry the ${source}`;
    carried.set(source, s.mid);
  }
  return undefined;
}
