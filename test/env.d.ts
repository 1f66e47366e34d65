// Types the workerd tests see: the Worker's generated bindings (worker-configuration.d.ts) plus what the test
// configuration binds besides (vitest.workerd.config.ts): the test-only signing keys, the admin token and the
// secrets the example rules reference.
declare global {
  namespace Cloudflare {
    interface Env {
      readonly TEST_KEYS: string;
      readonly ADMIN_TOKEN: string;
      readonly [name: string]: unknown;
    }
  }
}

export {};
