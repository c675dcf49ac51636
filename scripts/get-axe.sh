#!/usr/bin/env bash
# Fetch axe-core (the accessibility engine the browser tests run on every page) from npm into .cache/axe-core/,
# checking the tarball's and the script's SHA-256. Not committed; MPL-2.0, Deque Systems (package/LICENSE).
#
#   scripts/get-axe.sh                    # npm pack axe-core@4.14.1 (0.6 MB)
#   AXE_TGZ=/path/axe-core-4.14.1.tgz scripts/get-axe.sh
set -euo pipefail
VERSION="4.14.1"
TGZ_SHA256="e6b0ce02b84d892e2e33e403485e7f3d6c29e2be6df65daf44d89ba564139745"
JS_SHA256="29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/.cache/axe-core"
die() { echo "get-axe.sh: $*" >&2; exit 1; }
if [ -f "$OUT/axe.min.js" ] && echo "$JS_SHA256  $OUT/axe.min.js" | sha256sum -c --quiet - 2>/dev/null; then exit 0; fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ -n "${AXE_TGZ:-}" ]; then
  cp "$AXE_TGZ" "$WORK/pkg.tgz"
else
  command -v npm >/dev/null || die "npm is needed to fetch axe-core@$VERSION (apt-get install npm)"
  (cd "$WORK" && npm pack --silent "axe-core@$VERSION" >/dev/null) || die "npm pack axe-core@$VERSION failed"
  mv "$WORK"/*.tgz "$WORK/pkg.tgz"
fi
echo "$TGZ_SHA256  $WORK/pkg.tgz" | sha256sum -c --quiet - || die "the axe-core@$VERSION tarball does not have the pinned SHA-256"
tar -xzf "$WORK/pkg.tgz" -C "$WORK" package/axe.min.js package/LICENSE
echo "$JS_SHA256  $WORK/package/axe.min.js" | sha256sum -c --quiet - || die "package/axe.min.js does not have the pinned SHA-256"
mkdir -p "$OUT"
cp "$WORK/package/axe.min.js" "$WORK/package/LICENSE" "$OUT/"
echo "get-axe.sh: $OUT/axe.min.js"
