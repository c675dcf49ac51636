#!/usr/bin/env bash
# Beijing BRT five-fold cross-validation of the crowd density head, split by camera and day (issue 14), and where a
# zone's count should switch from tracks to the estimate. Trains five heads (models/train_density.py --folds 5,
# about an hour on 2 cores; skipped for folds already in DIR), counts each fold's frames with the head that never
# saw them, scores all folds together and each alone, then compares the detector's person boxes with the
# out-of-fold estimates per band of the estimate (bench/crowd/switch.py).
#   bench/crowd/cv.sh [DIR]          (default /var/tmp/gatewatch-crowd-cv; run from anywhere after a Release build)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DIR="${1:-/var/tmp/gatewatch-crowd-cv}"
SHARED="$(cd "$ROOT/.." && pwd)/shared"
BRT="$SHARED/data/crowd/beijing-brt-train"
AGENT="$ROOT/src/GateAgent/bin/Release/net10.0/GateAgent.dll"
[ -f "$AGENT" ] || { echo "cv.sh: $AGENT: no agent build; run dotnet build -c Release src/GateAgent" >&2; exit 1; }
[ -f "$BRT/counts.csv" ] || { echo "cv.sh: $BRT/counts.csv is missing" >&2; exit 1; }
mkdir -p "$DIR"
/usr/bin/python3 "$ROOT/models/train_density.py" --folds 5 --fold-dir "$DIR" --shared "$SHARED"
: > "$DIR/all.jsonl"
for k in 1 2 3 4 5; do
  held="$DIR/held$k"
  rm -rf "$held" && mkdir "$held"
  while read -r name; do ln -s "$BRT/frame/$name" "$held/$name"; done < "$DIR/fold$k.txt"
  dotnet "$AGENT" count --input "$held" --model "$DIR/fold$k.onnx" --out "$DIR/fold$k.jsonl" --threads 2
  echo "== fold $k: $(wc -l < "$DIR/fold$k.txt") frames ($(cut -c1-10 "$DIR/fold$k.txt" | sort -u | tr '\n' ' '))"
  dotnet "$AGENT" score-count --counts "$DIR/fold$k.jsonl" --truth "$BRT/counts.csv"
  cat "$DIR/fold$k.jsonl" >> "$DIR/all.jsonl"
done
echo "== all folds"
dotnet "$AGENT" score-count --counts "$DIR/all.jsonl" --truth "$BRT/counts.csv"
dotnet "$AGENT" detect --input "$BRT/frame" --out "$DIR/boxes.jsonl" --min-score 0.3 --threads 2
/usr/bin/python3 "$ROOT/bench/crowd/switch.py" "$DIR/boxes.jsonl" "$DIR/all.jsonl" "$BRT/counts.csv"
