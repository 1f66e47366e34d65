/**
 * The example's paging budget (3 pages an hour on the transfer-failure route) is shared by every test that
 * pages through that route: tests that count pages start from an empty budget.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';

export const PAGING_ROUTE = 'Every other transfer failure pages on-call and tells data engineering';

export function budgetStub() {
  return env.BUDGETS.getByName(`budget:${PAGING_ROUTE}`);
}

export async function resetBudget(): Promise<void> {
  await runInDurableObject(budgetStub(), async (_, state) => {
    await state.storage.deleteAlarm();
    await state.storage.deleteAll();
  });
}
