/**
 * The local inbox page (GET /inbox): every notification that went to the inbox, rendered on the server as its
 * receiver shows it (src/inbox/render.ts) — so the first paint already holds them, script or not — newest
 * first, updated live (polling /inbox/items for changes, then swapping in /inbox/fragment), filtered by target
 * and kind, each with its event's trace one click away (/admin/events/…). Plain HTML, CSS and a small script:
 * no framework, nothing fetched from elsewhere. The client code builds strings by concatenation, never with
 * template literals, so this file can hold it verbatim.
 */
import { esc } from '../render/html.ts';

/** The page, with the items already rendered and a filter option per registered target kind. */
export function inboxPage(itemsHtml: string, since: number, kinds: readonly { readonly kind: string; readonly label: string }[]): string {
  const kindOptions = kinds.map((k) => `<option value="${esc(k.kind)}">${esc(k.label)}</option>`).join('');
  return pageHead(kindOptions) + `<div id="items" data-since="${since}">${itemsHtml}</div></main>` + PAGE_SCRIPT;
}

const pageHead = (kindOptions: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchyard — local inbox</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%233f0e40'/%3E%3Cpath d='M4 5h8M4 8h5M4 11h8' stroke='%23fff' stroke-width='1.6'/%3E%3C/svg%3E">
<style>
  :root { --fg: #1d1c1d; --muted: #616061; --line: #e3e3e3; --bg: #f8f8f8; --card: #fff; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.46 -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: var(--fg); background: var(--bg); }
  header { position: sticky; top: 0; z-index: 1; background: #3f0e40; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  header .hint { opacity: .8; font-size: 13px; }
  header .live { margin-left: auto; font-size: 13px; }
  header .live::before { content: "●"; color: #2eb67d; margin-right: 6px; }
  main { max-width: 920px; margin: 0 auto; padding: 16px 24px 48px; }
  .empty { color: var(--muted); text-align: center; padding: 64px 0; }
  .item { background: var(--card); border: 1px solid var(--line); border-radius: 8px; margin: 14px 0; padding: 12px 16px; }
  .item.held { background: #f1f1f1; border-style: dashed; }
  .item.held .body { opacity: .55; filter: grayscale(1); }
  .held-why { font-size: 13px; font-weight: 600; color: var(--muted); margin: -2px 0 8px; }
  .meta { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; font-size: 12px; color: var(--muted); margin-bottom: 10px; }
  .badge { font-weight: 600; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; padding: 2px 7px; border-radius: 10px; background: #eee; color: #333; }
  .badge.slack { background: #4a154b; color: #fff; } .badge.pagerduty { background: #06ac38; color: #fff; } .badge.http { background: #1264a3; color: #fff; }
  .meta .target { font-weight: 600; color: var(--fg); }
  .meta a { color: #1264a3; cursor: pointer; text-decoration: none; } .meta a:hover { text-decoration: underline; }
  .slack-msg { display: flex; gap: 10px; }
  .avatar { width: 36px; height: 36px; border-radius: 6px; background: #4a154b; color: #fff; font-weight: 700; display: flex; align-items: center; justify-content: center; flex: none; }
  .slack-body { flex: 1; min-width: 0; }
  .who { font-weight: 700; } .who small { font-weight: 400; color: var(--muted); margin-left: 6px; }
  .fallback { margin: 2px 0 6px; }
  .attachment { border-left: 4px solid #ddd; padding: 2px 0 2px 12px; margin: 4px 0; }
  .block-header { font-size: 17px; font-weight: 700; margin: 4px 0 8px; }
  .block-section { margin: 6px 0; white-space: normal; }
  .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 24px; margin: 6px 0; }
  .block-context { font-size: 12px; color: var(--muted); margin: 8px 0 2px; }
  .button { display: inline-block; border: 1px solid #ccc; border-radius: 4px; padding: 3px 12px; margin: 6px 6px 2px 0; font-weight: 600; font-size: 13px; color: var(--fg); text-decoration: none; }
  pre { background: #f6f6f6; border: 1px solid var(--line); border-radius: 4px; padding: 8px; white-space: pre-wrap; word-break: break-word; font: 12px/1.45 Menlo, Consolas, monospace; margin: 6px 0; }
  code { background: #f6f6f6; border: 1px solid var(--line); border-radius: 3px; padding: 0 3px; color: #c01343; font: 12px Menlo, Consolas, monospace; }
  blockquote { border-left: 4px solid #ddd; margin: 4px 0; padding-left: 10px; color: #454245; }
  .thread { margin: 8px 0 0 46px; border-top: 1px dashed var(--line); padding-top: 6px; font-size: 14px; }
  .thread .reply { margin: 4px 0; } .thread .reply small { color: var(--muted); margin-right: 6px; }
  .edited { color: var(--muted); font-size: 11px; margin-left: 4px; }
  .pd { border-left: 6px solid #d40e0d; padding-left: 12px; }
  .pd.resolve { border-color: #2eb67d; } .pd.acknowledge { border-color: #f2c744; }
  .pd .action { font-weight: 700; text-transform: uppercase; font-size: 12px; }
  .pd .summary { font-size: 16px; font-weight: 600; margin: 4px 0; }
  table { border-collapse: collapse; font-size: 13px; width: 100%; margin: 6px 0; }
  td, th { border-top: 1px solid var(--line); padding: 4px 8px 4px 0; text-align: left; vertical-align: top; }
  th { color: var(--muted); font-weight: 600; width: 30%; }
  .http .line { font: 13px Menlo, Consolas, monospace; font-weight: 600; word-break: break-all; }
  .trace { margin-top: 10px; border-top: 1px solid var(--line); padding-top: 8px; font-size: 13px; }
  .trace .ok { color: #2eb67d; } .trace .no { color: var(--muted); } .trace .bad { color: #d40e0d; }
  .trace details { margin-top: 4px; } .trace summary { cursor: pointer; color: var(--muted); }
  .filters { display: flex; gap: 10px; align-items: center; margin: 4px 0 0; font-size: 13px; color: var(--muted); }
  .filters select, .filters button { font: inherit; padding: 3px 6px; border: 1px solid var(--line); border-radius: 4px; background: #fff; }
  .filters button { cursor: pointer; }
  details.body-fold > summary { cursor: pointer; color: #1264a3; font-size: 13px; margin: 4px 0; }
  .pd .history { font-size: 12px; color: var(--muted); margin: 4px 0; }
  .no-emoji .emoji { font-size: 0; }
  .no-emoji .emoji::after { content: attr(data-text); font-size: 12px; font-weight: 700; color: var(--muted); }
</style>
</head>
<body>
<header><h1>Switchyard — local inbox</h1><span class="hint">Notifications for targets without credentials land here instead of Slack, PagerDuty or HTTP.</span><span class="live" id="live">live</span></header>
<main><div class="filters" id="filters"><label>Target <select id="f-target"><option value="">all</option></select></label><label>Kind <select id="f-kind"><option value="">all</option>${kindOptions}</select></label><button type="button" id="clear" title="Remove every item from the local inbox">Clear the inbox</button><span id="count"></span></div>
`;

const PAGE_SCRIPT = `
<script>
(function () {
  var list = document.getElementById('items');
  var since = Number(list.getAttribute('data-since')) || 0;
  var filter = { target: '', kind: '' };
  function esc(s) { return String(s == null ? '' : s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
  /** Shows the articles the filters admit; keeps the target list current. */
  function applyFilters() {
    var select = document.getElementById('f-target');
    var have = {};
    Array.prototype.forEach.call(select.options, function (o) { have[o.value] = true; });
    var shown = 0;
    Array.prototype.forEach.call(list.querySelectorAll('article.item'), function (a) {
      var target = a.getAttribute('data-target');
      if (!have[target]) { have[target] = true; var o = document.createElement('option'); o.value = target; o.textContent = target; select.appendChild(o); }
      var show = (!filter.target || target === filter.target) && (!filter.kind || a.getAttribute('data-kind') === filter.kind);
      a.hidden = !show;
      if (show) shown++;
    });
    document.getElementById('count').textContent = list.querySelector('article.item') ? shown + ' shown' : '';
  }
  /** Swaps in the server's rendering of the list, keeping open traces and unfolded bodies open. */
  function refresh() {
    return fetch('/inbox/fragment', { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) {
        var traces = {};
        Array.prototype.forEach.call(list.querySelectorAll('.trace[data-id]'), function (el) { traces[el.getAttribute('data-id')] = el.innerHTML; });
        var unfolded = {};
        Array.prototype.forEach.call(list.querySelectorAll('article.item details[open]'), function (d) { unfolded[d.closest('article').getAttribute('data-id')] = true; });
        list.innerHTML = html;
        Object.keys(traces).forEach(function (id) {
          var link = list.querySelector('a[data-item="' + id + '"]');
          if (!link) return;
          var el = document.createElement('div');
          el.className = 'trace';
          el.setAttribute('data-id', id);
          el.innerHTML = traces[id];
          link.closest('.item').appendChild(el);
        });
        Object.keys(unfolded).forEach(function (id) {
          var d = list.querySelector('article[data-id="' + id + '"] details.body-fold');
          if (d) d.open = true;
        });
        applyFilters();
      });
  }
  function showTrace(link) {
    var id = link.getAttribute('data-item');
    var existing = document.querySelector('.trace[data-id="' + id + '"]');
    if (existing) { existing.parentNode.removeChild(existing); return; }
    fetch('/admin/events/' + link.getAttribute('data-trace').split('/').map(encodeURIComponent).join('/'), { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (t) {
        var html = '';
        if (!t.ok) html = '<span class="bad">' + esc(t.error && t.error.message) + '</span>';
        else {
          html += '<div><b>Verified:</b> ' + esc(t.verification.auth) + ' · delivered by the sender ' + esc(t.verification.deliveries_from_sender) + '×</div>';
          // The routes that matched and why come first; every other route's decision is folded.
          var row = function (r) { return '<div class="' + (r.matched ? 'ok' : 'no') + '">' + (r.matched ? '✓ ' : '· ') + esc(r.name) + ' — ' + esc(r.reason) + '</div>'; };
          var matched = t.routing.explanation.filter(function (r) { return r.matched; });
          var others = t.routing.explanation.filter(function (r) { return !r.matched; });
          html += '<div><b>Matched:</b> ' + (matched.length ? matched.map(row).join('') : '<span class="no">no route</span>') + '</div>';
          if (others.length) html += '<details><summary>the other ' + others.length + ' route' + (others.length === 1 ? '' : 's') + '</summary>' + others.map(row).join('') + '</details>';
          html += '<div><b>Deliveries:</b>' + t.jobs.map(function (j) {
            var cls = j.status === 'delivered' ? 'ok' : j.status === 'dead' ? 'bad' : 'no';
            return '<div class="' + cls + '">' + esc(j.target) + ': ' + esc(j.status) + (j.why ? ' — ' + esc(j.why) : '') + ' (' + j.attempts.length + ' attempt' + (j.attempts.length === 1 ? '' : 's') + ')</div>';
          }).join('') + '</div>';
        }
        var el = document.createElement('div');
        el.className = 'trace';
        el.setAttribute('data-id', id);
        el.innerHTML = html;
        link.closest('.item').appendChild(el);
      });
  }
  document.getElementById('f-target').addEventListener('change', function (e) { filter.target = e.target.value; applyFilters(); });
  document.getElementById('f-kind').addEventListener('change', function (e) { filter.kind = e.target.value; applyFilters(); });
  document.getElementById('clear').addEventListener('click', function () {
    fetch('/inbox/items', { method: 'DELETE', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) return;
      list.innerHTML = '<p class="empty">Cleared. New notifications appear here as they arrive.</p>';
      document.getElementById('count').textContent = '';
    });
  });
  document.addEventListener('click', function (e) {
    var link = e.target.closest && e.target.closest('a[data-trace]');
    if (link) { e.preventDefault(); showTrace(link); }
  });
  function poll() {
    fetch('/inbox/items?since=' + since, { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (data) {
        document.getElementById('live').textContent = 'live';
        if (!data.items.length) return;
        data.items.forEach(function (item) { if (item.updatedAt > since) since = item.updatedAt; });
        return refresh();
      })
      .catch(function () { document.getElementById('live').textContent = 'reconnecting…'; })
      .then(function () { setTimeout(poll, 1500); });
  }
  // Without an emoji font (a stock Debian has none), the marks show as text: draw one and look for colour.
  (function () {
    var canvas = document.createElement('canvas');
    canvas.width = canvas.height = 20;
    var ctx = canvas.getContext && canvas.getContext('2d');
    if (!ctx) return;
    ctx.textBaseline = 'top';
    ctx.font = '16px sans-serif';
    ctx.fillText('\ud83d\udd34', 0, 0);
    var data = ctx.getImageData(0, 0, 20, 20).data;
    for (var i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && data[i] > 150 && data[i + 1] < 100) return;
    document.body.classList.add('no-emoji');
  })();
  applyFilters();
  setTimeout(poll, 1500);
})();
</script>
</body>
</html>
`;
