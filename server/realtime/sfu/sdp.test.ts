import { describe, expect, it } from 'vitest';
import { announceAddress, describeSections, filterPublishOffer, sourcesProblem } from './sdp';

/** The shape of a Chrome publish offer (trimmed): Opus + RED, VP8/VP9/H264 + RTX, ulpfec, transport-cc. */
const chromeOffer = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=msid-semantic: WMS stream',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:abcd',
  'a=ice-pwd:aaaaaaaaaaaaaaaaaaaaaaaa',
  'a=fingerprint:sha-256 00:11',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=sendrecv',
  'a=msid:stream mic',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=ssrc:1001 cname:x',
  'a=ssrc:1001 msid:stream mic',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 45 116 117',
  'c=IN IP4 0.0.0.0',
  'a=mid:1',
  'a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  'a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid',
  'a=extmap:10 https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension',
  'a=sendonly',
  'a=msid:stream cam',
  'a=rtpmap:96 VP8/90000',
  'a=rtcp-fb:96 goog-remb',
  'a=rtcp-fb:96 transport-cc',
  'a=rtcp-fb:96 ccm fir',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:98 VP9/90000',
  'a=fmtp:98 profile-id=0',
  'a=rtpmap:99 rtx/90000',
  'a=fmtp:99 apt=98',
  'a=rtpmap:45 AV1/90000',
  'a=rtpmap:116 red/90000',
  'a=rtpmap:117 ulpfec/90000',
  'a=ssrc-group:FID 2001 2002',
  'a=ssrc:2001 cname:x',
  'a=ssrc:2002 cname:x',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:2',
  '',
].join('\r\n');

describe('filterPublishOffer', () => {
  const out = filterPublishOffer(chromeOffer);

  it('keeps only Opus in audio and VP8 + its RTX in video', () => {
    expect(out).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n');
    expect(out).toContain('m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n');
    for (const gone of ['red/', 'ulpfec', 'VP9', 'AV1', 'G722', 'PCMU', 'apt=98', 'a=fmtp:63']) {
      expect(out).not.toContain(gone);
    }
  });

  it('strips transport-cc feedback and extensions we do not handle, keeps the audio level', () => {
    expect(out).not.toMatch(/transport-cc|transport-wide-cc|dependency-descriptor/);
    expect(out).toContain('a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level');
    expect(out).toContain('a=rtcp-fb:96 nack pli');
    expect(out).toContain('a=rtcp-fb:96 goog-remb');
  });

  it('turns on Opus DTX and makes every section send-only', () => {
    expect(out).toContain('a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1');
    expect(out).not.toContain('a=sendrecv');
    expect(filterPublishOffer(out)).toContain('usedtx=1\r\n'); // idempotent
    expect(filterPublishOffer(out).match(/usedtx/g)).toHaveLength(1);
  });

  it('rejects sections that carry nothing we forward', () => {
    expect(out).toContain('m=application 0 UDP/DTLS/SCTP webrtc-datachannel');
  });

  it('throws on text without media sections', () => {
    expect(() => filterPublishOffer('v=0\r\n')).toThrow();
  });
});

describe('describeSections', () => {
  it('reads mid, SSRCs, payload types and the audio-level id', () => {
    const [audio, video] = describeSections(filterPublishOffer(chromeOffer));
    expect(audio).toMatchObject({
      mid: '0',
      kind: 'audio',
      sending: true,
      ssrc: 1001,
      payloadType: 111,
      audioLevelId: 1,
    });
    expect(video).toMatchObject({
      mid: '1',
      kind: 'video',
      sending: true,
      ssrc: 2001,
      rtxSsrc: 2002,
      payloadType: 96,
      rtxPayloadType: 97,
    });
  });

  it('marks inactive sections as not sending', () => {
    const [audio] = describeSections(
      filterPublishOffer(chromeOffer.replace('a=sendrecv', 'a=inactive')),
    );
    expect(audio?.sending).toBe(false);
  });
});

describe('announceAddress', () => {
  it('puts the public address into candidates and c= lines and drops duplicates', () => {
    const sdp = [
      'm=audio 40000 UDP/TLS/RTP/SAVPF 111',
      'c=IN IP4 10.0.0.5',
      'a=candidate:1 1 UDP 2122317823 10.0.0.5 40000 typ host',
      'a=candidate:2 1 UDP 2122317567 172.17.0.1 40000 typ host',
    ].join('\r\n');
    const out = announceAddress(sdp, '203.0.113.7');
    expect(out).toContain('c=IN IP4 203.0.113.7');
    expect(out).toContain('a=candidate:1 1 UDP 2122317823 203.0.113.7 40000 typ host');
    expect(out.match(/a=candidate/g)).toHaveLength(1);
  });
});

describe('sourcesProblem', () => {
  const section = (mid: string, kind: 'audio' | 'video', sending = true) => ({
    mid,
    kind,
    sending,
    ssrc: sending ? 1000 + Number(mid) : undefined,
    rtxSsrc: undefined,
    payloadType: kind === 'audio' ? 111 : 96,
    rtxPayloadType: undefined,
    audioLevelId: undefined,
  });
  const browser = [section('0', 'audio'), section('1', 'video'), section('2', 'video')];

  it('takes labels that fit each m-line’s kind, one m-line per source', () => {
    expect(sourcesProblem(browser, { 0: 'microphone', 1: 'camera', 2: 'screen' })).toBeUndefined();
    // Unlabelled m-lines carry the source of their kind; unknown mids are ignored.
    expect(sourcesProblem(browser.slice(0, 2), { 9: 'screen' })).toBeUndefined();
    // A stopped m-line (not sending) does not hold its source.
    expect(
      sourcesProblem([section('0', 'audio'), section('1', 'video', false), section('2', 'video')], {
        0: 'microphone',
        1: 'screen',
        2: 'screen',
      }),
    ).toBeUndefined();
  });

  it('refuses a label of the other kind and a source on two m-lines', () => {
    expect(sourcesProblem(browser, { 0: 'camera', 1: 'camera', 2: 'screen' })).toMatch(/audio/);
    expect(sourcesProblem(browser, { 0: 'microphone', 1: 'microphone' })).toMatch(/video/);
    expect(sourcesProblem(browser, { 0: 'microphone', 1: 'screen', 2: 'screen' })).toMatch(
      /both carry the screen/,
    );
    // Unlabelled, the second video m-line would be a second camera.
    expect(sourcesProblem(browser, { 0: 'microphone', 1: 'camera' })).toMatch(/camera/);
  });
});
