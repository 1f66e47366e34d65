/**
 * Human units used in rules.yaml: durations (`90s`, `5m`, `1h30m`, `15d`) and sizes (`256KB`, `1MB`).
 * Pure: no I/O. Both return null when the text is not a valid amount.
 */
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export function parseDuration(text: string): number | null {
  const m = DURATION_RE.exec(text.trim());
  if (!m || text.trim() === '') return null;
  const [, d, h, min, s, ms] = m;
  return Number(d ?? 0) * 86_400_000 + Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0);
}

const SIZE_RE = /^(\d+)\s*(B|KB|KiB|MB|MiB)?$/i;
const SIZE_FACTOR: Record<string, number> = { b: 1, kb: 1024, kib: 1024, mb: 1024 * 1024, mib: 1024 * 1024 };

/** Sizes are binary (1 KB = 1024 bytes), as Cloudflare's own limits are stated. */
export function parseSize(text: string): number | null {
  const m = SIZE_RE.exec(text.trim());
  if (!m) return null;
  return Number(m[1]) * SIZE_FACTOR[(m[2] ?? 'b').toLowerCase()]!;
}
