#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors, runs xunit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Tests work on copies in temporary folders: a run that changes the working tree is a failure, even when every
# test passed. Each path git reports, with a hash of its content, so that a file that was already modified
# before the run and is changed again by it is caught too. Ignored files (builds, artifacts/, .cache/) are
# not reported and may change.
tree_state() {
  # -z: paths as they are, not quoted; a staged rename's source path follows as a field of its own.
  git -C "$ROOT" status --porcelain -z --untracked-files=all | while IFS= read -r -d '' entry; do
    case "$entry" in R* | C*) IFS= read -r -d '' _ ;; esac
    printf '%s %s\n' "$entry" "$(git -C "$ROOT" hash-object -- "${entry:3}" 2>/dev/null || echo gone)"
  done
}
tree_before="$(tree_state)"
GATEWATCH_BROWSER=1 source "$ROOT/scripts/setup.sh"
cd "$ROOT"
# Results of an earlier run would be counted again in the closing line.
rm -rf artifacts/test
mkdir -p artifacts/test
dotnet build GateWatch.sln -c Release -warnaserror -nologo -v q
set +e
# One test project at a time (-m:1): the agent's live-camera tests and the browser tests each load both cores, and
# run side by side they starve each other's real-time analysis into timeouts.
dotnet test GateWatch.sln -c Release --no-build --nologo -m:1 \
  --logger "trx;LogFilePrefix=tests" --results-directory artifacts/test 2>&1 | tee artifacts/test/output.txt
rc=${PIPESTATUS[0]}
set -e
# One plain closing line for people and CI alike.
python3 - "$ROOT/artifacts/test" <<'PY' || true
import glob, sys, xml.etree.ElementTree as ET
p = f = s = 0
for trx in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    c = ET.parse(trx).getroot().find("{*}ResultSummary/{*}Counters")
    if c is None: continue
    p += int(c.get("passed", 0)); f += int(c.get("failed", 0)); s += int(c.get("notExecuted", 0))
print(f"tests: {p} passed, {f} failed, {s} skipped")
PY
# The Debian packages: built, installed, their services started as their units run them, removed (packaging/README.md).
if [ -z "${GATEWATCH_SKIP_PACKAGES:-}" ]; then
  if "$ROOT/scripts/package-check.sh" 2>&1 | tee artifacts/test/packages.txt; then
    echo "packages: $(tail -1 artifacts/test/packages.txt)"
  else
    echo "packages: FAILED (artifacts/test/packages.txt)" >&2
    [ "$rc" -ne 0 ] || rc=1
  fi
else
  echo "packages: skipped (GATEWATCH_SKIP_PACKAGES is set)"
fi
changed="$(comm -3 <(printf '%s\n' "$tree_before" | sort) <(tree_state | sort) | sed 's/^\t//' | cut -c4- | sed 's/ [^ ]*$//' | sort -u)"
if [ -n "$changed" ]; then
  echo "test.sh: FAILED: the run changed the working tree (tests must work on copies in a temporary folder):" >&2
  sed 's/^/  /' <<<"$changed" >&2
  [ "$rc" -ne 0 ] || rc=1
fi
exit $rc
