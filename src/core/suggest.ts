/**
 * "Did you mean": the nearest candidate by edit distance, when it is near enough to be a likely typo.
 * Pure: no I/O.
 */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

/**
 * The hint after an unknown name: ` (did you mean "x"?)` for a likely typo, else the names there are
 * (` (targets: a, b)`), else that there are none (` (no targets are declared)`).
 */
export function didYouMean(word: string, candidates: readonly string[], what: string): string {
  const near = closest(word, candidates);
  if (near) return ` (did you mean "${near}"?)`;
  return candidates.length > 0 ? ` (${what}: ${candidates.join(', ')})` : ` (no ${what} are declared)`;
}
