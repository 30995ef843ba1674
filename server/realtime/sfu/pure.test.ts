import { describe, expect, it } from 'vitest';
import { PacketHistory } from './history';
import { NackGenerator } from './nack';
import { SpeakerTracker, bitrateCapFor, selectLastN } from './speakers';

describe('PacketHistory', () => {
  it('returns a packet until a newer one takes its slot', () => {
    const h = new PacketHistory(8);
    const a = Buffer.from('a');
    h.put(65535, a);
    expect(h.get(65535)).toBe(a);
    expect(h.get(7)).toBeUndefined(); // same slot, other sequence number
    h.put(7, Buffer.from('b')); // 65535 + 8 wraps to 7: overwrites
    expect(h.get(65535)).toBeUndefined();
    expect(h.get(7)?.toString()).toBe('b');
    h.clear();
    expect(h.get(7)).toBeUndefined();
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
