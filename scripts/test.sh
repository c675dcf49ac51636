#!/usr/bin/env bash
# Runs every test: installs what is missing, builds with warnings as errors, runs xunit.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
GATEWATCH_BROWSER=1 source "$ROOT/scripts/setup.sh"
cd "$ROOT"
mkdir -p artifacts/test
dotnet build GateWatch.sln -c Release -warnaserror -nologo -v q
set +e
dotnet test GateWatch.sln -c Release --no-build --nologo \
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
exit $rc
