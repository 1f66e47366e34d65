// Bindings the workerd tests see: the Worker's own Env plus the test-only signing keys.
import type { Env as WorkerEnv } from '../src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      readonly TEST_KEYS: string;
    }
  }
}
