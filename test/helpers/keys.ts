/**
 * Independently generated key material for tests (node:crypto, not the WebCrypto code under test).
 * Used by the Node tier directly and by vitest.workerd.config.ts to seed the Worker's secrets.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';

export interface RsaTestPair {
  readonly publicPem: string;
  readonly privatePem: string;
}

export function rsaPair(modulusLength = 2048): RsaTestPair {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  };
}

export function whsecSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export interface TestKeys {
  readonly prequel: readonly [RsaTestPair, RsaTestPair];
  readonly prelude: readonly [RsaTestPair, RsaTestPair];
  readonly billing: readonly [string, string];
  readonly stranger: RsaTestPair;
  readonly verificationToken: string;
}

export function makeTestKeys(): TestKeys {
  return {
    prequel: [rsaPair(), rsaPair()],
    prelude: [rsaPair(), rsaPair()],
    billing: [whsecSecret(), whsecSecret()],
    stranger: rsaPair(),
    verificationToken: randomBytes(16).toString('hex'),
  };
}
