#!/usr/bin/env bash
# Follows the README's quick start literally on a fresh clone, as a newcomer would: `npm run dev` (the first run
# installs, generates dev keys and starts the local relay), then `npm run demo` against it. (The quick start's
# other command, `npm test`, is what .ci/run itself runs on its clean clone.) Run by .ci/run.
# On purpose, port 8787 is already taken: the relay must come up elsewhere, say where, and `send`/`demo` must
# find it. Then the edit loop: a broken rules.yaml saved while it runs keeps /healthz answering (and saying so),
# and fixing it resumes routing.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
dev=""
blocker=""
cleanup() {
  if [ -n "$dev" ]; then kill -- "-$dev" 2>/dev/null || true; fi
  if [ -n "$blocker" ]; then kill "$blocker" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
git clone -q "$src" "$dir/switchyard"
cd "$dir/switchyard"

# Something else on 8787 (it accepts connections and never answers).
node -e "require('net').createServer(() => {}).listen(8787, '127.0.0.1')" &
blocker=$!
sleep 1

echo "quickstart: npm run dev (fresh clone, 8787 taken)"
setsid npm run dev > dev.log 2>&1 &
dev=$!
url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's/^switchyard: the relay is running at \(http[^ ]*\).*/\1/p' dev.log | head -1)"
  if [ -n "$url" ]; then break; fi
  if ! kill -0 "$dev" 2>/dev/null; then break; fi
  sleep 1
done
health() { node -e "fetch('$url/healthz', { signal: AbortSignal.timeout(2000) }).then((r) => r.text()).then((t) => { console.log(t); }, (e) => { console.log('no answer within 2 s: ' + e.message); process.exit(1); })"; }
if [ -z "$url" ] || ! health > /dev/null; then
  echo "quickstart: the relay did not come up (or did not say where); its output:" >&2
  tail -60 dev.log >&2
  exit 1
fi
case "$url" in *:8787) echo "quickstart: the banner claims 8787, which another process holds" >&2; exit 1 ;; esac
echo "quickstart: the banner says $url"

# The first install must not dirty the checkout (package-lock.json rewritten, files generated outside .gitignore).
if [ -n "$(git status --porcelain)" ]; then
  echo "quickstart: the first run changed the checkout:" >&2
  git status --porcelain >&2
  git diff --stat >&2
  exit 1
fi

echo "quickstart: npm run demo"
npm run demo 2>&1 | tee demo.log
grep -q "Tampered .*401 bad_signature" demo.log
grep -q "duplicates=1" demo.log
grep -qE "delivered" demo.log
grep -q "/inbox" demo.log

echo "quickstart: a broken rules.yaml saved while dev runs"
cp rules.example.yaml rules.yaml
sed -i 's/^routes:/routes:\n  - name: typo\n    notify: [nobody]/' rules.yaml
# While wrangler reloads (about a second here) one request may wait; two in a row past 2 s is a hang.
broken=""
slow=0
for _ in $(seq 1 60); do
  if answer="$(health)"; then slow=0; else
    slow=$((slow + 1))
    if [ "$slow" -ge 2 ]; then echo "quickstart: /healthz did not answer within 2 s, twice, with a broken rules.yaml" >&2; exit 1; fi
    continue
  fi
  if echo "$answer" | grep -q '"status":"broken"'; then broken=yes; break; fi
  sleep 1
done
[ -n "$broken" ] || { echo "quickstart: /healthz never said the rules are broken" >&2; tail -40 dev.log >&2; exit 1; }
echo "$answer" | grep -q 'unknown target \\"nobody\\"'
npm run send -- test/fixtures/prequel/export_destination.created.json | grep -q '^200 '

echo "quickstart: fixing it resumes"
rm rules.yaml
for _ in $(seq 1 60); do
  if health | grep -q '"status":"ok"'; then break; fi
  sleep 1
done
health | grep -q '"status":"ok"'
npm run send -- test/fixtures/prequel/export_source.updated.json | grep -q '^200 '
echo "quickstart: OK"
