import { describe, expect, it } from 'vitest';
import { cycles } from './check-structure.ts';

const graph = (edges: Record<string, string[]>) =>
  new Map(Object.entries(edges).map(([from, tos]) => [from, new Map(tos.map((to) => [to, `${from} imports ${to}`]))]));

describe('the folder import check', () => {
  it('finds a circle between two folders, and one through three', () => {
    expect(cycles(graph({ state: ['pipeline', 'core'], pipeline: ['state', 'core'], core: [] }))).toEqual([['pipeline', 'state', 'pipeline']]);
    expect(cycles(graph({ a: ['b'], b: ['c'], c: ['a'] }))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('passes a layered graph', () => {
    expect(cycles(graph({ '(root)': ['state', 'pipeline', 'core'], state: ['pipeline', 'core'], pipeline: ['core'], core: [] }))).toEqual([]);
  });
});
