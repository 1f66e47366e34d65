/**
 * What `cross-fetch` resolves to in this Worker (wrangler.toml `[alias]`, and the workerd test config):
 * the runtime's own fetch. pdjs does `require("cross-fetch").default(url, options)`. cross-fetch 3.2.0's
 * browser build (the one a Worker bundle picks) returns the global fetch function itself and hangs
 * `default` on it as a property; workerd's fetch does not keep that property, so in the bundle wrangler
 * deploys `.default` was undefined and every page failed ("cross_fetch_1.default is not a function").
 * Found by `npm run load`, which serves the deployed bundle.
 */
const runtimeFetch: typeof fetch = (input, init) => fetch(input, init);

export default runtimeFetch;
export { runtimeFetch as fetch };
const RuntimeHeaders = Headers;
const RuntimeRequest = Request;
const RuntimeResponse = Response;
export { RuntimeHeaders as Headers, RuntimeRequest as Request, RuntimeResponse as Response };
