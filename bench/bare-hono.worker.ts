// The baseline of `npm run load`: a bare Hono Worker that reads the body and answers 200, served by Miniflare
// exactly as the relay is. What the relay adds on top (verify, route, ledger, enqueue) is the ratio.
import { Hono } from 'hono';

const app = new Hono();
app.post('/hooks/:source', async (c) => {
  await c.req.arrayBuffer();
  return c.json({ ok: true, accepted: 1 });
});

export default app;
