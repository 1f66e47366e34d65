/**
 * The per-destination paging source and route the tests add to the example (test/rules.workerd.yaml): Prequel's
 * transfer events on the `prequel-paging` source get one alert, one page and one Slack message per
 * destination — the example itself groups its own.
 */
export const PAGING_SOURCE = 'prequel-paging';
export const PAGING_ROUTE = 'Per-destination transfer pages (tests)';
