#!/usr/bin/env bash
# Follows the README's quick start literally on a fresh clone, as a newcomer would: `npm run dev` (the first run
# installs, generates dev keys and starts the local relay), then `npm run demo` against it. (The quick start's
# other command, `npm test`, is what .ci/run itself runs on its clean clone.) Run by .ci/run.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(mktemp -d)"
dev=""
cleanup() {
  if [ -n "$dev" ]; then kill -- "-$dev" 2>/dev/null || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT
git clone -q "$src" "$dir/switchyard"
cd "$dir/switchyard"
healthy() { node -e "fetch('http://localhost:8787/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; }
if healthy; then echo "quickstart: something already answers on localhost:8787" >&2; exit 1; fi

echo "quickstart: npm run dev (fresh clone)"
setsid npm run dev > dev.log 2>&1 &
dev=$!
for _ in $(seq 1 300); do
  if healthy; then break; fi
  if ! kill -0 "$dev" 2>/dev/null; then break; fi
  sleep 1
done
if ! healthy; then
  echo "quickstart: the relay did not come up; its output:" >&2
  tail -60 dev.log >&2
  exit 1
fi

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
echo "quickstart: OK"
