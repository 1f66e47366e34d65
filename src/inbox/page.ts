/**
 * The local inbox page (GET /inbox): every notification that went to the inbox, rendered as its receiver
 * shows it — Slack Block Kit (colour bar, header, fields, text and code, buttons, context, thread replies),
 * PagerDuty events as incident cards, HTTP requests with method, URL, headers and body — newest first,
 * updated live (polling /inbox/items), each with its event's trace one click away (/admin/events/…).
 * Plain HTML, CSS and script: no framework, nothing fetched from elsewhere. The client code builds strings
 * by concatenation, never with template literals, so this file can hold it verbatim.
 */
export const INBOX_HTML = `<!doctype html>
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
</style>
</head>
<body>
<header><h1>Switchyard — local inbox</h1><span class="hint">Notifications for targets without credentials land here instead of Slack, PagerDuty or HTTP.</span><span class="live" id="live">live</span></header>
<main><div class="filters" id="filters"><label>Target <select id="f-target"><option value="">all</option></select></label><label>Kind <select id="f-kind"><option value="">all</option><option value="slack">Slack</option><option value="pagerduty">PagerDuty</option><option value="http">HTTP</option></select></label><button type="button" id="clear" title="Remove every item from the local inbox">Clear the inbox</button><span id="count"></span></div>
<div id="items"><p class="empty" id="empty">Nothing yet. Send an event: <code>npm run send -- test/fixtures/prequel/transfer.error.json</code> or <code>npm run demo</code>.</p></div></main>
<script>
(function () {
  var items = {};
  var since = 0;
  function esc(s) { return String(s == null ? '' : s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
  function mrkdwn(text) {
    var out = esc(text);
    out = out.replace(/\\x60\\x60\\x60([\\s\\S]*?)\\x60\\x60\\x60/g, function (_, code) { return '<pre>' + code + '</pre>'; });
    out = out.replace(/\\x60([^\\x60\\n]+)\\x60/g, '<code>$1</code>');
    out = out.replace(/&lt;(https?:\\/\\/[^|&\\s"]+)\\|([^&]+?)&gt;/g, '<a href="$1" target="_blank" rel="noopener noreferrer">$2</a>');
    out = out.replace(/(^|[\\s(])\\*([^*\\n]+)\\*/g, '$1<b>$2</b>');
    out = out.replace(/(^|[\\s(])_([^_\\n]+)_/g, '$1<i>$2</i>');
    out = out.replace(/(^|[\\s(])~([^~\\n]+)~/g, '$1<s>$2</s>');
    out = out.replace(/(^|\\n)&gt;([^\\n]*)/g, '$1<blockquote>$2</blockquote>');
    return out.replace(/\\n/g, '<br>');
  }
  // Only http(s) links are clickable; anything else (javascript:, data:) is shown as text.
  function safeUrl(u) { return typeof u === 'string' && /^https?:\\/\\/[^\\s]+$/i.test(u) ? u : null; }
  function link(url, text) {
    var u = safeUrl(url);
    return u ? '<a class="button" href="' + esc(u) + '" target="_blank" rel="noopener noreferrer">' + esc(text) + '</a>' : '<span class="button" title="link dropped: not an http(s) URL">' + esc(text) + '</span>';
  }
  function color(c) { return typeof c === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : '#ddd'; }
  function time(ms) { return new Date(ms).toLocaleString(); }
  function block(b) {
    if (!b || !b.type) return '';
    if (b.type === 'header') return '<div class="block-header">' + esc(b.text && b.text.text) + '</div>';
    if (b.type === 'section') {
      var html = '';
      if (b.text) html += '<div class="block-section">' + mrkdwn(b.text.text) + '</div>';
      if (b.fields) html += '<div class="fields">' + b.fields.map(function (f) { return '<div>' + mrkdwn(f.text) + '</div>'; }).join('') + '</div>';
      return html;
    }
    if (b.type === 'actions') return '<div>' + (b.elements || []).map(function (e) { return link(e.url, e.text && e.text.text); }).join('') + '</div>';
    if (b.type === 'context') return '<div class="block-context">' + (b.elements || []).map(function (e) { return mrkdwn(e.text); }).join(' ') + '</div>';
    if (b.type === 'divider') return '<hr>';
    return '';
  }
  function slack(item) {
    var p = item.payload || {};
    var html = '<div class="slack-msg"><div class="avatar">SY</div><div style="flex:1;min-width:0">';
    html += '<div class="who">Switchyard <small>' + esc(new Date(item.at).toLocaleTimeString()) + '</small>' + (item.updates ? '<span class="edited">(edited)</span>' : '') + '</div>';
    if (!p.attachments || !p.attachments.length) html += '<div class="fallback">' + mrkdwn(p.text) + '</div>';
    (p.attachments || []).forEach(function (a) {
      html += '<div class="attachment" style="border-left-color:' + color(a.color) + '">' + (a.blocks || []).map(block).join('') + '</div>';
    });
    html += '</div></div>';
    if (item.replies && item.replies.length) {
      html += '<div class="thread">' + item.replies.length + (item.replies.length === 1 ? ' reply' : ' replies') + item.replies.map(function (r) {
        return '<div class="reply"><small>' + esc(new Date(r.at).toLocaleTimeString()) + '</small>' + mrkdwn(r.text) + '</div>';
      }).join('') + '</div>';
    }
    return html;
  }
  function table(obj) {
    var keys = Object.keys(obj || {}).filter(function (k) { return obj[k] !== undefined && obj[k] !== null && obj[k] !== ''; });
    if (!keys.length) return '';
    return '<table>' + keys.map(function (k) {
      var v = obj[k];
      return '<tr><th>' + esc(k) + '</th><td>' + (typeof v === 'object' ? '<pre>' + esc(JSON.stringify(v, null, 2)) + '</pre>' : esc(v)) + '</td></tr>';
    }).join('') + '</table>';
  }
  function pagerduty(item) {
    // One card per incident (dedup key): its state is the newest event's; details come from the trigger.
    var p = item.payload || {};
    var trigger = item.incident && item.incident.trigger ? item.incident.trigger.payload || {} : p;
    var pl = trigger.payload || {};
    var html = '<div class="pd ' + esc(p.event_action) + '"><div class="action">' + esc(p.event_action === 'trigger' ? 'Incident triggered' : p.event_action === 'resolve' ? 'Incident resolved' : p.event_action === 'acknowledge' ? 'Incident acknowledged' : p.event_action) + '</div>';
    if (item.incident && item.incident.history.length > 1) html += '<div class="history">' + item.incident.history.map(function (h) { return esc(h.action) + ' ' + esc(new Date(h.at).toLocaleTimeString()); }).join(' → ') + '</div>';
    if (pl.summary) html += '<div class="summary">' + esc(pl.summary) + '</div>';
    html += table({ 'dedup key': p.dedup_key, severity: pl.severity, source: pl.source, component: pl.component, group: pl.group, class: pl['class'] }) ;
    if (pl.custom_details) html += table(pl.custom_details);
    (trigger.links || []).forEach(function (l) { html += link(l.href, l.text); });
    return html + '</div>';
  }
  function http(item) {
    var p = item.payload || {};
    var url = p.url || '';
    var query = p.query || [];
    var html = '<div class="http"><div class="line">' + esc(p.method) + ' ' + esc(url) + (query.length ? ' <small>+ ' + query.length + ' query parameter' + (query.length === 1 ? '' : 's') + '</small>' : '') + '</div>';
    html += table(p.headers || {});
    if (query.length) html += '<table class="query">' + query.map(function (q) { return '<tr><th>' + esc(q[0]) + '</th><td>' + esc(q[1]) + '</td></tr>'; }).join('') + '</table>';
    if (p.body != null) {
      var body = p.body;
      try { body = JSON.stringify(JSON.parse(p.body), null, 2); } catch (e) {}
      // Long bodies are folded: the card stays readable, one click shows it all.
      html += body.length > 600 || body.split('\\n').length > 16
        ? '<details class="body-fold"><summary>body (' + body.length + ' characters)</summary><pre>' + esc(body) + '</pre></details>'
        : '<pre>' + esc(body) + '</pre>';
    }
    return html + '</div>';
  }
  var filter = { target: '', kind: '' };
  /** PagerDuty events of one dedup key become one incident card, at the place of its newest event. */
  function incidents(list) {
    var byKey = {};
    var out = [];
    list.slice().reverse().forEach(function (item) {
      var key = item.kind === 'pagerduty' && item.payload && item.payload.dedup_key ? item.target + '\\u0000' + item.payload.dedup_key : null;
      if (!key) { out.push(item); return; }
      var group = byKey[key];
      if (!group) { group = byKey[key] = { history: [], trigger: null, card: null }; }
      group.history.push({ action: item.payload.event_action, at: item.at });
      if (item.payload.event_action === 'trigger') group.trigger = item;
      if (group.card) out.splice(out.indexOf(group.card), 1);
      group.card = Object.assign({}, item, { incident: group });
      out.push(group.card);
    });
    return out.reverse();
  }
  function refreshTargets(list) {
    var select = document.getElementById('f-target');
    var have = {};
    Array.prototype.forEach.call(select.options, function (o) { have[o.value] = true; });
    list.forEach(function (item) {
      if (have[item.target]) return;
      have[item.target] = true;
      var o = document.createElement('option');
      o.value = item.target;
      o.textContent = item.target;
      select.appendChild(o);
    });
  }
  function render() {
    var all = Object.keys(items).map(function (k) { return items[k]; }).sort(function (a, b) { return b.id - a.id; });
    refreshTargets(all);
    var list = incidents(all).filter(function (item) { return (!filter.target || item.target === filter.target) && (!filter.kind || item.kind === filter.kind); });
    var main = document.getElementById('items');
    document.getElementById('count').textContent = list.length + ' shown';
    if (!all.length) return;
    if (!list.length) { main.innerHTML = '<p class="empty">Nothing matches this filter.</p>'; return; }
    var open = {};
    Array.prototype.forEach.call(document.querySelectorAll('.trace[data-id]'), function (el) { open[el.getAttribute('data-id')] = el.innerHTML; });
    main.innerHTML = list.map(function (item) {
      var body = item.kind === 'slack' ? slack(item) : item.kind === 'pagerduty' ? pagerduty(item) : http(item);
      var meta = '<div class="meta"><span class="badge ' + esc(item.kind) + '">' + esc(item.kind) + '</span><span class="target">' + esc(item.target) + '</span><span>' + esc(time(item.at)) + '</span><span>' + esc(item.event.type) + ' · ' + esc(item.event.id) + '</span><span>route: ' + esc(item.route) + '</span>' +
        '<a data-trace="' + esc(item.event.source + '/' + item.event.id) + '" data-item="' + item.id + '">trace ›</a></div>';
      var trace = open[item.id] != null ? '<div class="trace" data-id="' + item.id + '">' + open[item.id] + '</div>' : '';
      var held = item.held ? '<div class="held-why">Not sent — ' + esc(item.held) + '</div>' : '';
      return '<article class="item' + (item.held ? ' held' : '') + '" data-kind="' + esc(item.kind) + '" data-target="' + esc(item.target) + '">' + meta + held + '<div class="body">' + body + '</div>' + trace + '</article>';
    }).join('');
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
  document.getElementById('f-target').addEventListener('change', function (e) { filter.target = e.target.value; render(); });
  document.getElementById('f-kind').addEventListener('change', function (e) { filter.kind = e.target.value; render(); });
  document.getElementById('clear').addEventListener('click', function () {
    fetch('/inbox/items', { method: 'DELETE', credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) return;
      items = {};
      document.getElementById('items').innerHTML = '<p class="empty">Cleared. New notifications appear here as they arrive.</p>';
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
        data.items.forEach(function (item) { items[item.id] = item; if (item.updatedAt > since) since = item.updatedAt; });
        if (data.items.length) render();
      })
      .catch(function () { document.getElementById('live').textContent = 'reconnecting…'; })
      .then(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
</script>
</body>
</html>
`;
