#!/usr/bin/env bash
# The demo: the gate pipeline on real footage (PETS 2009), with events, an annotated video,
# a snapshot per crossing, and the score against ground truth when it is at hand.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
OUT="$ROOT/out/demo"
mkdir -p "$OUT"
dotnet build src/GateAgent -c Release -nologo -v q
AGENT=(dotnet "$ROOT/src/GateAgent/bin/Release/net10.0/GateAgent.dll")
GATE="$ROOT/samples/pets-gate.json"
"${AGENT[@]}" analyze --video "$GATEWATCH_VIDEO" --gate "$GATE" --out "$OUT/events.jsonl" \
  --occupancy --annotate "$OUT/annotated.mp4" --snapshots "$OUT/crossings"
TRUTH="$ROOT/../shared/eval/pets-gate.truth.json"
if [ -f "$TRUTH" ]; then
  "${AGENT[@]}" score --events "$OUT/events.jsonl" --truth "$TRUTH"
fi
echo
echo "demo output in $OUT: events.jsonl, annotated.mp4 (boxes, ids, lines, counts), crossings/*.jpg"
