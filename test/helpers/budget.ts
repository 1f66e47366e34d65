/**
 * The per-destination paging route the workerd tests add (test/rules.workerd.yaml): Prequel's transfer events
 * on the `prequel-paging` source, one alert and one page per destination. Its budget (3 pages an hour) is shared
 * by every test that pages through it: tests that count pages start from an empty budget.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';

import { PAGING_ROUTE } from '../kits/paging.ts';

export { PAGING_ROUTE, PAGING_SOURCE } from '../kits/paging.ts';

export function budgetStub() {
  return env.BUDGETS.getByName(`budget:${PAGING_ROUTE}`);
}

export async function resetBudget(): Promise<void> {
  await runInDurableObject(budgetStub(), async (_, state) => {
    await state.storage.deleteAlarm();
    await state.storage.deleteAll();
  });
}
