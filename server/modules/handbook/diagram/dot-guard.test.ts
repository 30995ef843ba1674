import { describe, expect, it } from 'vitest';
import { DOT_BOUNDS, DotRefused, guardDot } from './dot-guard';

describe('guardDot', () => {
  it('leaves ordinary DOT as it is', () => {
    const dot = 'digraph { rankdir=LR; a [label="{x|{y|z}}" shape=record]; a -> b // mclimit=9\n}';
    expect(guardDot(dot, false)).toBe(dot);
    expect(guardDot('digraph { mclimit=0.5; layout=neato; maxiter=300 }', false)).toBe(
      'digraph { mclimit=0.5; layout=neato; maxiter=300 }',
    );
  });

  it('clamps the costly attributes wherever the DOT writes them', () => {
    expect(
      guardDot('digraph { mclimit=1000; nslimit=1000; searchsize=100000 a -> b }', false),
    ).toBe('digraph { mclimit=1; nslimit=5; searchsize=30 a -> b }');
    expect(
      guardDot('digraph { graph ["mclimit" = "10" + "00", layout=fdp, maxiter=99999] }', false),
    ).toBe('digraph { graph ["mclimit" = 1, layout=fdp, maxiter=1000] }');
    // A large graph cannot ask for more than the large-graph safeguards.
    expect(guardDot('digraph { mclimit=1; splines=ortho; searchsize=<100> }', true)).toBe(
      'digraph { mclimit=0.01; splines=false; searchsize=5 }',
    );
  });

  it('refuses engines outside the list, and structures past the bounds', () => {
    expect(() => guardDot('digraph { layout=osage; a }', false)).toThrow(DotRefused);
    expect(() => guardDot('graph { graph [layout="nop"] }', false)).toThrow(/not available/);
    const deep = DOT_BOUNDS.maxDepth + 1;
    expect(() =>
      guardDot(`digraph { ${'subgraph { '.repeat(deep)} a ${'}'.repeat(deep)} }`, false),
    ).toThrow(/nested too deep/);
    expect(() =>
      guardDot(`digraph { ${'{ a } '.repeat(DOT_BOUNDS.maxSubgraphs + 1)} }`, false),
    ).toThrow(/Too many subgraphs/);
    expect(() =>
      guardDot(
        `digraph { ${Array.from({ length: DOT_BOUNDS.maxClusters + 1 }, (_, i) => `subgraph cluster_${i} { c${i} }`).join('\n')} }`,
        false,
      ),
    ).toThrow(/Too many clusters/);
    expect(() => guardDot(`digraph { a [label="${'{'.repeat(100)}x"] }`, false)).toThrow(/label/);
    expect(() =>
      guardDot(`digraph { a [label=<${'<table><tr><td>'.repeat(30)}x>] }`, false),
    ).toThrow(/HTML-like/);
    // Braces inside strings and comments are not structure.
    expect(guardDot(`digraph { a [label="\\{\\{"] /* ${'{'.repeat(200)} */ }`, false)).toContain(
      'a [',
    );
  });
});
