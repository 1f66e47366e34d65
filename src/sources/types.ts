/**
 * What a source kind provides: which headers its signature needs, how its keys are imported, how a delivery
 * is verified, and how a verified body becomes canonical events. Verification uses WebCrypto only; normalize
 * is pure. The orchestration around them lives in pipeline/ingest.ts.
 */
import type { IngestError } from '../core/errors.ts';
import type { CanonicalEvent } from '../core/event.ts';
import type { Result } from '../core/result.ts';
import type { SourceConfig } from '../rules/config.ts';

/** One HTTP delivery as the verifier sees it: raw bytes, headers, and the injected clock. */
export interface Delivery {
  readonly source: string;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
  /** Milliseconds since the epoch, from the injected clock (never read inside a verifier). */
  readonly now: number;
  /** SHA-256 of the body, computed at most once per delivery. */
  readonly bodySha256: () => Promise<Uint8Array>;
}

export interface NormalizeContext {
  readonly source: string;
  readonly receivedAt: string;
  readonly headers: Headers;
  /** Hex SHA-256 of the raw body, computed only when the handler's `needsBodyDigest` says so; else null. */
  readonly bodySha256Hex: string | null;
  /**
   * Takes a batch element that cannot be read, so its siblings are still accepted. Without it (offline
   * tools), one bad element fails the whole batch.
   */
  readonly reject?: (where: string, detail: string) => void;
}

export interface SourceKindHandler<C extends SourceConfig = SourceConfig> {
  readonly kind: C['kind'];
  /** Headers a signed delivery must carry (lower case), checked before any crypto. */
  readonly signatureHeaders: readonly string[];
  /** Turns configured key texts (already interpolated) into WebCrypto keys; runs once per isolate. */
  importKeys(texts: readonly string[]): Promise<Result<CryptoKey[], string>>;
  /** Cheapest checks first; crypto last. Never parses the body. */
  verify(delivery: Delivery, config: C, keys: readonly CryptoKey[]): Promise<Result<{ readonly note?: string }, IngestError>>;
  /** Whether normalize needs the body's SHA-256 (to derive event ids); a digest costs ~6 µs per 2 KB. */
  needsBodyDigest(body: unknown): boolean;
  /** Verified, parsed JSON → canonical events (a batch may hold several). Pure. */
  normalize(body: unknown, context: NormalizeContext): Result<CanonicalEvent[], IngestError>;
  /**
   * Deliveries as a GET with the payload in the query string (Prequel's generic_get), for kinds whose sender
   * has such a method: the envelope a POST would have carried, and the texts a signature may cover (each
   * verified as if it were the body). Normalize then runs on the envelope, with the canonical query's digest.
   */
  readonly query?: {
    envelope(params: URLSearchParams): Result<unknown, IngestError>;
    signedForms(rawQuery: string, params: URLSearchParams): readonly string[];
    canonical(params: URLSearchParams): string;
  };
}
