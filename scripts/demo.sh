#!/usr/bin/env bash
# The demo, on real footage (PETS 2009):
#  1. the gate pipeline over the whole clip: events, an annotated video, a snapshot per crossing, and the
#     score against ground truth when it is at hand;
#  2. the edge agent service on the same clip served as a live camera by a real RTSP server (with a password,
#     which the agent's logs never show): recording, counting, the local API and live video.
# Runs until Ctrl+C; DEMO_SECONDS=N stops it after N seconds with a summary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
OUT="$ROOT/out/demo"
mkdir -p "$OUT"
dotnet build src/GateAgent -c Release -nologo -v q
AGENT=(dotnet "$ROOT/src/GateAgent/bin/Release/net10.0/GateAgent.dll")
GATE="$ROOT/samples/pets-gate.json"

echo "== 1. gate analysis of the whole clip"
"${AGENT[@]}" analyze --video "$GATEWATCH_VIDEO" --gate "$GATE" --out "$OUT/events.jsonl" \
  --occupancy --annotate "$OUT/annotated.mp4" --snapshots "$OUT/crossings"
TRUTH="$ROOT/../shared/eval/pets-gate.truth.json"
if [ -f "$TRUTH" ]; then
  "${AGENT[@]}" score --events "$OUT/events.jsonl" --truth "$TRUTH"
fi
echo "output in $OUT: events.jsonl, annotated.mp4 (boxes, ids, lines, counts), crossings/*.jpg"

echo
echo "== 2. the agent service on the clip served live over RTSP"
RTSP_PORT="${GATEWATCH_RTSP_PORT:-8554}"
AGENT_PORT="${GATEWATCH_AGENT_PORT:-8710}"
LIVE="$OUT/live"
mkdir -p "$LIVE"
# A camera's kind of stream: H.264 without B-frames, a keyframe a second, as the RTSP server loops it.
if [ ! -f "$LIVE/pets.h264" ]; then
  ffmpeg -v error -y -i "$GATEWATCH_VIDEO" -c:v libx264 -preset veryfast -bf 0 -g 10 -pix_fmt yuv420p -f h264 "$LIVE/pets.h264"
fi
[ -f "$LIVE/agent.key" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$LIVE/agent.key"
KEY="$(cat "$LIVE/agent.key")"
CAM_PASSWORD="gate-camera-pw"
cat > "$LIVE/agent.json" <<JSON
{
  "agentId": "demo-gate",
  "listen": "http://127.0.0.1:$AGENT_PORT",
  "apiKeyFile": "agent.key",
  "dataDir": "data",
  "retention": { "maxAgeDays": 1, "lowDiskFreeMB": 512, "sweepSeconds": 60 },
  "cameras": [
    { "id": "pets", "name": "PETS 2009 gate (RTSP)", "main": "rtsp://camera:$CAM_PASSWORD@127.0.0.1:$RTSP_PORT/gate",
      "gate": "$GATE", "analysisFps": 5, "segmentSeconds": 10, "quotaMB": 2000 }
  ]
}
JSON

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
/usr/bin/python3 "$ROOT/tests/rtsp/rtsp_server.py" "$LIVE/pets.h264" --port "$RTSP_PORT" --fps 10 \
  --user camera --password "$CAM_PASSWORD" > "$LIVE/rtsp.log" 2>&1 &
pids+=($!)
"${AGENT[@]}" run --config "$LIVE/agent.json" > "$LIVE/agent.log" 2>&1 &
pids+=($!)

API="http://127.0.0.1:$AGENT_PORT/api"
for _ in $(seq 60); do
  curl -sf "http://127.0.0.1:$AGENT_PORT/healthz" >/dev/null 2>&1 && break
  sleep 1
done
cat <<TXT
RTSP camera : rtsp://camera:***@127.0.0.1:$RTSP_PORT/gate (PETS 2009, looped)
agent API   : $API   (key in $LIVE/agent.key; agent log in $LIVE/agent.log)
  curl -H "Authorization: Bearer \$(cat $LIVE/agent.key)" $API/health
  curl -H "Authorization: Bearer \$(cat $LIVE/agent.key)" "$API/events?after=0"
  curl -H "Authorization: Bearer \$(cat $LIVE/agent.key)" $API/cameras/pets/live.mjpeg   (boxes and lines drawn in)
  curl -H "Authorization: Bearer \$(cat $LIVE/agent.key)" $API/cameras/pets/live.mp4     (fragmented MP4, stream copy)
recordings  : $LIVE/data/recordings/pets
TXT

if [ -n "${DEMO_SECONDS:-}" ]; then
  sleep "$DEMO_SECONDS"
  curl -s -H "Authorization: Bearer $KEY" "$API/health" > "$LIVE/health.json"
  /usr/bin/python3 - "$LIVE/health.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
for c in h["cameras"]:
    lines = ", ".join(f"{k} in {v['in']} out {v['out']}" for k, v in c["lineCounts"].items())
    print(f"camera {c['id']}: {c['state']}, {c['segmentsThisRun']} segments recorded, "
          f"{c['analysedFrames']} frames analysed at {c['analysedFps']}/s; {lines or 'no crossings yet'}")
print(f"events in the outbox: {h['outbox']['lastSeq']}")
PY
  curl -s -H "Authorization: Bearer $KEY" -o "$LIVE/snapshot.jpg" "$API/cameras/pets/snapshot.jpg" && echo "snapshot: $LIVE/snapshot.jpg"
else
  echo "running; Ctrl+C stops the agent and the camera"
  wait
fi
