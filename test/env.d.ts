// Types the workerd tests see: the Worker's own Env plus the test-only signing keys, and the main module's
// exports (so `exports.default.fetch` is typed).
import type { Env as WorkerEnv } from '../src/env.ts';

declare global {
  namespace Cloudflare {
    interface Env extends WorkerEnv {
      readonly TEST_KEYS: string;
    }
    interface GlobalProps {
      mainModule: typeof import('../src/index.ts');
      durableNamespaces: 'EventLedgerObject' | 'DeliveryControlObject' | 'AlertObject' | 'BudgetObject' | 'PacerObject' | 'InboxObject';
    }
  }
}
