import { describe, expect, it } from 'vitest';
import { holdBackCandidates, remoteTracksByMid } from './sdp';

const offer = [
  'v=0',
  'o=rtc 1 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'm=audio 40000 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 127.0.0.1',
  'a=mid:0',
  'a=msid:p1 p1:microphone',
  'a=candidate:1 1 UDP 2122317823 127.0.0.1 40000 typ host',
  'a=end-of-candidates',
  'm=video 40000 UDP/TLS/RTP/SAVPF 96',
  'a=candidate:1 1 UDP 2122317823 127.0.0.1 40000 typ host',
  'a=mid:1',
  'a=msid:p1 p1:camera',
  '',
].join('\r\n');

describe('subscriber offers', () => {
  it('hold back their ICE candidates, named by m-line and mid, and keep everything else', () => {
    const { sdp, candidates } = holdBackCandidates(offer);
    expect(sdp).not.toContain('a=candidate');
    expect(sdp).not.toContain('a=end-of-candidates');
    expect(sdp.split('\r\n')).toHaveLength(offer.split('\r\n').length - 3);
    expect(candidates).toEqual([
      {
        candidate: 'candidate:1 1 UDP 2122317823 127.0.0.1 40000 typ host',
        sdpMLineIndex: 0,
        sdpMid: '0',
      },
      {
        candidate: 'candidate:1 1 UDP 2122317823 127.0.0.1 40000 typ host',
        sdpMLineIndex: 1,
        sdpMid: '1',
      },
    ]);
    expect([...remoteTracksByMid(sdp)]).toEqual([
      ['0', { participantId: 'p1', source: 'microphone' }],
      ['1', { participantId: 'p1', source: 'camera' }],
    ]);
  });
});
