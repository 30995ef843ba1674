import { describe, expect, it } from 'vitest';
import { PacketHistory } from './history';
import { NackGenerator } from './nack';
import { SpeakerTracker, bitrateCapFor, selectLastN } from './speakers';

describe('PacketHistory', () => {
  it('returns a packet until a newer one takes its slot', () => {
    const h = new PacketHistory(8);
    const a = Buffer.from('a');
    h.put(65535, a);
    expect(h.get(65535)?.toString()).toBe('a');
    a[0] = 0x7a; // a copy: the caller's Buffer may be reused
    expect(h.get(65535)?.toString()).toBe('a');
    expect(h.get(7)).toBeUndefined(); // same slot, other sequence number
    h.put(7, Buffer.from('b')); // 65535 + 8 wraps to 7: overwrites
    expect(h.get(65535)).toBeUndefined();
    expect(h.get(7)?.toString()).toBe('b');
    h.clear();
    expect(h.get(7)).toBeUndefined();
  });

  it('forgets a packet whose bytes newer packets have overwritten, and keeps the others whole', () => {
    const h = new PacketHistory(16, 10);
    h.put(1, Buffer.from('aaaa'));
    h.put(2, Buffer.from('bbbb'));
    expect(h.get(1)?.toString()).toBe('aaaa');
    // 4 + 4 written; 'cccc' does not fit in the last 2 bytes, so it starts again at 0 over 'aaaa'.
    h.put(3, Buffer.from('cccc'));
    expect(h.get(1)).toBeUndefined();
    expect(h.get(2)?.toString()).toBe('bbbb');
    expect(h.get(3)?.toString()).toBe('cccc');
    h.put(4, Buffer.from('dd')); // bytes 4-5: over the first half of 'bbbb'
    expect(h.get(2)).toBeUndefined();
    expect(h.get(3)?.toString()).toBe('cccc');
    expect(h.get(4)?.toString()).toBe('dd');
    // Many turns of the ring later, every packet still readable is the one last put there.
    for (let seq = 5; seq < 5000; seq++) {
      h.put(seq, Buffer.from(String(seq % 1000).padStart(3, '0')));
      const back = seq > 5 ? h.get(seq - 1) : undefined;
      if (back !== undefined)
        expect(back.toString()).toBe(String((seq - 1) % 1000).padStart(3, '0'));
    }
    expect(h.get(4999)?.toString()).toBe('999');
    expect(h.get(4997)).toBeDefined(); // 3 packets of 3 bytes fit in 10
    expect(h.get(4996)).toBeUndefined();
  });

  it('does not keep a packet larger than the ring, and drops the one it replaces', () => {
    const h = new PacketHistory(8, 4);
    h.put(1, Buffer.from('abc'));
    h.put(9, Buffer.from('too long'));
    expect(h.get(9)).toBeUndefined();
    expect(h.get(1)).toBeUndefined();
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => new PacketHistory(500)).toThrow();
  });
});

describe('NackGenerator', () => {
  it('NACKs a gap at once, retries, and stops when the packet arrives', () => {
    const g = new NackGenerator({ retryMs: 50, maxTries: 3 });
    expect(g.receive(100, 0)).toBe('new');
    expect(g.receive(103, 0)).toBe('new');
    expect(g.due(0)).toEqual([101, 102]);
    expect(g.due(10)).toEqual([]); // not yet time to retry
    expect(g.receive(101, 20)).toBe('recovered');
    expect(g.due(60)).toEqual([102]);
    expect(g.receive(103, 61)).toBe('duplicate');
    expect(g.receive(90, 61)).toBe('late');
  });

  it('gives up after maxTries and reports the loss', () => {
    const g = new NackGenerator({ retryMs: 10, maxTries: 2 });
    g.receive(1, 0);
    g.receive(3, 0);
    expect(g.due(0)).toEqual([2]);
    expect(g.due(10)).toEqual([2]);
    expect(g.due(20)).toEqual([]);
    expect(g.pending()).toBe(false);
    expect(g.takeLost()).toBe(1);
    expect(g.takeLost()).toBe(0);
  });

  it('handles the sequence-number wrap and ignores stream restarts', () => {
    const g = new NackGenerator({ maxGap: 100 });
    g.receive(65534, 0);
    g.receive(1, 0);
    expect(g.due(0)).toEqual([65535, 0]);
    const r = new NackGenerator({ maxGap: 100 });
    r.receive(10, 0);
    r.receive(5000, 0); // a jump: not loss
    expect(r.due(0)).toEqual([]);
  });
});

describe('SpeakerTracker', () => {
  it('names the peers that spoke in the last window, loudest first, and remembers recency', () => {
    const s = new SpeakerTracker({ windowMs: 1000 });
    for (let t = 0; t < 1000; t += 20) {
      s.observe('quiet', 127, t); // silence (DTX comfort noise level)
      s.observe('loud', 10, t);
      s.observe('soft', 50, t);
    }
    expect(s.tick(1000)).toEqual(['loud', 'soft']);
    for (let t = 1000; t < 2000; t += 20) s.observe('quiet', 20, t);
    expect(s.tick(2000)).toEqual(['quiet']);
    expect(s.recentSpeakers()[0]).toBe('quiet');
    s.remove('quiet');
    expect(s.recentSpeakers()).not.toContain('quiet');
  });

  it('does not count a muted peer (no packets) as speaking', () => {
    const s = new SpeakerTracker();
    s.observe('a', 10, 0);
    expect(s.tick(1000)).toEqual(['a']);
    expect(s.tick(2000)).toEqual([]);
  });
});

describe('selectLastN', () => {
  it('forwards everyone while there are no more publishers than N', () => {
    expect(selectLastN([], ['a', 'b'], 9)).toEqual(new Set(['a', 'b']));
  });

  it('takes the most recent speakers first, then fills in join order', () => {
    const pubs = ['a', 'b', 'c', 'd', 'e'];
    expect(selectLastN(['e', 'gone', 'c'], pubs, 3)).toEqual(new Set(['e', 'c', 'a']));
    expect(selectLastN(['e', 'd', 'c', 'b'], pubs, 2)).toEqual(new Set(['e', 'd']));
  });
});

describe('bitrateCapFor', () => {
  it('falls as the meeting grows', () => {
    const caps = [2, 4, 9, 16, 30, 50].map(bitrateCapFor);
    for (let i = 1; i < caps.length; i++) expect(caps[i]).toBeLessThan(caps[i - 1]!);
  });
});
