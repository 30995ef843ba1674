import { describe, expect, it } from 'vitest';
import {
  candidateNetworks,
  candidatePolicy,
  keepAllowedCandidates,
  networkProblem,
} from './candidates';

describe('remote ICE candidates the engine takes', () => {
  const none = candidateNetworks([]);

  it('takes the signalling address only (IPv4 on a dual-stack socket too)', () => {
    const allowed = candidatePolicy('::ffff:198.51.100.7', none);
    expect(allowed('198.51.100.7')).toBe(true);
    expect(allowed('198.51.100.8')).toBe(false);
    expect(allowed('127.0.0.1')).toBe(false);
    expect(candidatePolicy('2001:db8::1', none)('2001:DB8::1')).toBe(true);
    // Unknown signalling address: nothing but the announced networks.
    expect(candidatePolicy(undefined, none)('198.51.100.7')).toBe(false);
  });

  it('takes the loopback addresses from a participant on loopback, not other 127/8 hosts', () => {
    const allowed = candidatePolicy('::1', none);
    expect(allowed('127.0.0.1')).toBe(true);
    expect(allowed('::1')).toBe(true);
    expect(allowed('127.0.0.2')).toBe(false);
  });

  it('takes the announced networks from anyone, and never a name', () => {
    const allowed = candidatePolicy('203.0.113.9', candidateNetworks(['10.0.0.0/8', 'fd00::/8']));
    expect(allowed('10.20.30.40')).toBe(true);
    expect(allowed('fd12::5')).toBe(true);
    expect(allowed('11.0.0.1')).toBe(false);
    expect(allowed('3e8f1c2a-0000-4000-8000-000000000000.local')).toBe(false);
    expect(allowed('victim.example')).toBe(false);
  });

  it('refuses a network that is not address/prefix', () => {
    expect(networkProblem('10.0.0.0/8')).toBeUndefined();
    expect(networkProblem('10.0.0.0/33')).toMatch(/prefix/);
    expect(networkProblem('lan')).toMatch(/address\/prefix/);
    expect(() => candidateNetworks(['10.0.0.0'])).toThrow(/10.0.0.0/);
  });

  it('drops the refused candidate lines of an SDP and keeps the rest', () => {
    const sdp = [
      'v=0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=candidate:1 1 UDP 2130706431 198.51.100.7 5000 typ host',
      'a=candidate:2 1 UDP 2130706431 192.0.2.80 53 typ host',
      'a=candidate:3 1 UDP 2130706431 x.local 5000 typ host',
      'a=candidate:4',
      'a=end-of-candidates',
      '',
    ].join('\r\n');
    const out = keepAllowedCandidates(sdp, candidatePolicy('198.51.100.7', none));
    expect(out.split('\r\n').filter((l) => l.startsWith('a=candidate'))).toEqual([
      'a=candidate:1 1 UDP 2130706431 198.51.100.7 5000 typ host',
    ]);
    expect(out).toContain('a=end-of-candidates');
    expect(keepAllowedCandidates(out, candidatePolicy('198.51.100.7', none))).toBe(out);
  });
});
