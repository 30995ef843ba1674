import { describe, expect, it } from 'vitest';
import { evaluateMarkup } from './markup';
import { MAX_DOT_CHARS, renderSvg, safeLinks } from './render';
import { handbook, page } from './test-handbook';

describe('renderSvg', () => {
  it('lays out DOT as SVG', async () => {
    const result = await renderSvg('digraph { "Mission" -> "Vision" }');
    expect('svg' in result).toBe(true);
    if (!('svg' in result)) return;
    expect(result.svg).toContain('<svg');
    expect(result.svg).toContain('<title>Mission</title>');
  });

  it("returns Graphviz's error text for DOT that does not lay out", async () => {
    const result = await renderSvg('digraph { a -> }');
    expect('error' in result && result.error).toMatch(/syntax error in line 1/);
  });

  it('refuses DOT too large to lay out', async () => {
    const result = await renderSvg(`digraph { ${'a -> b\n'.repeat(MAX_DOT_CHARS / 7 + 1)} }`);
    expect('error' in result && result.error).toMatch(/^Diagram too large/);
  });

  it('neutralises javascript: links written in raw DOT', async () => {
    const result = await renderSvg(
      'digraph { a [URL="javascript:alert(1)"]; b [URL="/handbook/b"]; c [href="JaVa\tScript:x"] }',
    );
    if (!('svg' in result)) throw new Error(result.error);
    expect(result.svg).not.toMatch(/javascript/i);
    expect(result.svg).toContain('xlink:href="/handbook/b"');
    expect(safeLinks('<a xlink:href="jav&#97;script:x">')).toBe('<a xlink:href="#">');
    expect(safeLinks('<a xlink:href="https://example.org/">')).toBe(
      '<a xlink:href="https://example.org/">',
    );
  });

  it('links every page node of evaluated markup to its page', async () => {
    const hb = handbook(page('Ελληνικά', 'Links to [[Mission & vision]]'));
    const { dot } = await evaluateMarkup(
      'DOT digraph\n  HERE NODE\n    LINKS HERE -> NODE',
      'ελληνικά',
      hb,
    );
    const result = await renderSvg(dot);
    if (!('svg' in result)) throw new Error(result.error);
    expect(result.svg).toContain(`xlink:href="/handbook/${encodeURIComponent('ελληνικά')}"`);
    expect(result.svg).toContain('xlink:href="/handbook/mission-vision"');
    expect(result.svg).toContain('xlink:title="Mission &amp; vision"');
  });
});
