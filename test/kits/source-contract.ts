/**
 * The contract every source kind passes: fixtures accepted when signed with either of two keys
 * (rotation); any single changed byte of body, signature or timestamp rejected; stale and future timestamps
 * rejected with their own reasons; a key from another pair rejected. Driven through `ingest`, so header
 * checks and ordering are covered too. Imported by tests only.
 */
import { describe, expect, it } from 'vitest';
import type { IngestReason } from '../../src/core/errors.ts';
import type { Logger } from '../../src/core/log.ts';
import { ingest, type IngestDeps, type IngestRequest } from '../../src/pipeline/ingest.ts';
import { createMemoryLedger, NO_ROUTES } from './memory-ledger.ts';
import type { SourceConfig } from '../../src/rules/config.ts';
import { createCredentialCache } from '../../src/sources/credentials.ts';

export const NOW = Date.parse('2026-11-23T12:00:00Z');
export const silentLogger: Logger = { log: () => undefined };

export interface SourceContract {
  readonly name: string;
  readonly config: SourceConfig;
  /** Env holding the public keys/secrets the config references. */
  readonly env: Record<string, string>;
  /** Signs with configured key 0 or 1, or with a key of another pair. */
  sign(body: string, key: 0 | 1 | 'stranger', sentAt: number): Promise<Record<string, string>>;
  readonly fixtures: readonly { readonly name: string; readonly body: string; readonly events: number }[];
  /** Where the signature is: its header, the text before the encoded bytes, and their encoding. */
  readonly signature: { readonly header: string; readonly prefix: string; readonly encoding: 'hex' | 'base64' };
  /** Header carrying a signed timestamp, when the scheme has one; with its window in ms. */
  readonly timestamp?: { readonly header: string; readonly maxAgeMs: number; readonly maxFutureMs: number };
}

export function depsFor(contract: Pick<SourceContract, 'name' | 'config' | 'env'>, now = NOW): IngestDeps {
  return {
    rules: { settings: { maxBodyBytes: 256 * 1024, dedupRetentionMs: 15 * 86_400_000 }, sources: { [contract.name]: contract.config } },
    env: contract.env,
    now: () => now,
    ledger: createMemoryLedger(),
    credentials: createCredentialCache(),
    log: silentLogger,
    route: NO_ROUTES,
  };
}

/** A Request as the runtime would hand it over (with Content-Length), seen through ingest's interface. */
export function toIngestRequest(source: string, headers: Record<string, string>, body: Uint8Array): IngestRequest {
  const request = new Request('https://relay.test/', { method: 'POST', headers: { ...headers, 'content-length': String(body.length) }, body });
  return { source, headers: request.headers, body: request.body, arrayBuffer: () => request.arrayBuffer(), pathToken: null };
}

export async function send(contract: SourceContract, body: string, headers: Record<string, string>, deps = depsFor(contract)) {
  return ingest(toIngestRequest(contract.name, headers, new TextEncoder().encode(body)), deps);
}

async function expectReason(promise: ReturnType<typeof send>, reasons: readonly IngestReason[]): Promise<void> {
  const result = await promise;
  expect(result.ok, 'expected a rejection').toBe(false);
  if (!result.ok) expect(reasons).toContain(result.error.reason);
}

function decode(text: string, encoding: 'hex' | 'base64'): Uint8Array {
  return encoding === 'hex' ? Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16))) : Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function encode(bytes: Uint8Array, encoding: 'hex' | 'base64'): string {
  return encoding === 'hex' ? [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('') : btoa(String.fromCharCode(...bytes));
}

export function runSourceContract(contract: SourceContract): void {
  describe(`${contract.name} source contract`, () => {
    for (const fixture of contract.fixtures) {
      it(`accepts ${fixture.name} signed with either rotation key`, async () => {
        const deps = depsFor(contract);
        for (const key of [0, 1] as const) {
          const result = await send(contract, fixture.body, await contract.sign(fixture.body, key, NOW - 1000), key === 0 ? deps : depsFor(contract));
          expect(result.ok ? result.value.accepted : result.error).toBe(fixture.events);
        }
      });
    }

    const body = contract.fixtures[0]!.body;

    it('rejects every single-byte change of the body', async () => {
      const headers = await contract.sign(body, 0, NOW);
      const bytes = new TextEncoder().encode(body);
      for (let i = 0; i < bytes.length; i++) {
        const tampered = bytes.slice();
        tampered[i] = tampered[i]! ^ 0x01;
        const result = await ingest(toIngestRequest(contract.name, headers, tampered), depsFor(contract));
        if (result.ok) throw new Error(`byte ${i} changed and still accepted`);
        expect(['bad_signature', 'digest_mismatch']).toContain(result.error.reason);
      }
    });

    it('rejects every single-byte change of the signature', async () => {
      const { header, prefix, encoding } = contract.signature;
      const headers = await contract.sign(body, 0, NOW);
      expect(headers[header]!.startsWith(prefix)).toBe(true);
      const signature = decode(headers[header]!.slice(prefix.length), encoding);
      for (let i = 0; i < signature.length; i++) {
        const tampered = signature.slice();
        tampered[i] = tampered[i]! ^ 0x80;
        await expectReason(send(contract, body, { ...headers, [header]: prefix + encode(tampered, encoding) }), ['bad_signature']);
      }
      await expectReason(send(contract, body, { ...headers, [header]: prefix + encode(signature.slice(1), encoding) }), ['bad_signature']);
    });

    it('rejects a signature made with a key from another pair', async () => {
      await expectReason(send(contract, body, await contract.sign(body, 'stranger', NOW)), ['bad_signature']);
    });

    it('names every missing signature header', async () => {
      const result = await send(contract, body, { 'content-type': 'application/json' });
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.error.reason).toBe('missing_headers');
        expect(result.error.detail).toContain(contract.signature.header);
      }
    });

    const ts = contract.timestamp;
    if (ts) {
      it('rejects any change of the signed timestamp', async () => {
        const headers = await contract.sign(body, 0, NOW - 10_000);
        const other = await contract.sign(body, 0, NOW - 9_000);
        await expectReason(send(contract, body, { ...headers, [ts.header]: other[ts.header]! }), ['bad_signature']);
      });

      it('rejects stale and future timestamps with their own reasons, accepts the window edges', async () => {
        await expectReason(send(contract, body, await contract.sign(body, 0, NOW - ts.maxAgeMs - 1000)), ['timestamp_too_old']);
        await expectReason(send(contract, body, await contract.sign(body, 0, NOW + ts.maxFutureMs + 1000)), ['timestamp_in_future']);
        const edgeOld = await send(contract, body, await contract.sign(body, 0, NOW - ts.maxAgeMs));
        const edgeNew = await send(contract, body, await contract.sign(body, 0, NOW + ts.maxFutureMs), depsFor(contract));
        expect(edgeOld.ok && edgeNew.ok).toBe(true);
      });
    }
  });
}
