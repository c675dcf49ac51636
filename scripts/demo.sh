#!/usr/bin/env bash
# The demo, on real footage (PETS 2009):
#  1. the gate pipeline over the whole clip: events, an annotated video, a snapshot per crossing, and the
#     score against ground truth when it is at hand;
#  2. the central console and an edge agent on the same clip served as a live camera by a real RTSP server
#     (with a password, which no log shows): one user per role, the live wall, alerts, recordings, cases.
# Runs until Ctrl+C; DEMO_SECONDS=N stops it after N seconds with a summary; DEMO_LIVE_ONLY=1 skips part 1.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/setup.sh"
cd "$ROOT"
OUT="$ROOT/out/demo"
mkdir -p "$OUT"
echo "== building the agent"
dotnet build src/GateAgent -c Release -nologo -v q
AGENT=(dotnet "$ROOT/src/GateAgent/bin/Release/net10.0/GateAgent.dll")
GATE="$ROOT/samples/pets-gate.json"

if [ -z "${DEMO_LIVE_ONLY:-}" ]; then
echo "== 1. gate analysis of the whole clip (about a minute on 2 cores)"
# --progress: a bar on a terminal, a plain line every 10 % when piped or logged.
"${AGENT[@]}" analyze --video "$GATEWATCH_VIDEO" --gate "$GATE" --out "$OUT/events.jsonl" \
  --occupancy --annotate "$OUT/annotated.mp4" --snapshots "$OUT/crossings" --progress
TRUTH="$ROOT/../shared/eval/pets-gate.truth.json"
if [ -f "$TRUTH" ]; then
  "${AGENT[@]}" score --events "$OUT/events.jsonl" --truth "$TRUTH"
fi
echo "output in $OUT: events.jsonl, annotated.mp4 (boxes, ids, lines, counts), crossings/*.jpg"
fi

echo
echo "== 2. the console and an agent, on the clip served live over RTSP"
echo "building the console"
dotnet build src/Console -c Release -nologo -v q
CONSOLE=(dotnet "$ROOT/src/Console/bin/Release/net10.0/GateConsole.dll")
RTSP_PORT="${GATEWATCH_RTSP_PORT:-8554}"
AGENT_PORT="${GATEWATCH_AGENT_PORT:-8710}"
CONSOLE_PORT="${GATEWATCH_CONSOLE_PORT:-8700}"
LIVE="$OUT/live"
DATA="$OUT/console"
mkdir -p "$LIVE" "$DATA"
# A camera's kind of stream: H.264 without B-frames, a keyframe a second, as the RTSP server loops it.
if [ ! -f "$LIVE/pets.h264" ]; then
  echo "re-encoding the clip as a camera's stream"
  ffmpeg -v error -y -i "$GATEWATCH_VIDEO" -c:v libx264 -preset veryfast -bf 0 -g 10 -pix_fmt yuv420p -f h264 "$LIVE/pets.h264"
fi
# A lane camera for plates: a real photo of a car (OpenALPR's Brazilian set, in ../shared), the frame panning so
# the car drives across the lane line; without ../shared the demo runs the PETS camera alone.
CAR_PHOTO="$ROOT/../shared/data/plates/openalpr-br/AYO9034.jpg"
LANE_CAMERA=""
if [ -f "$CAR_PHOTO" ]; then
  if [ ! -f "$LIVE/lane.h264" ]; then
    ffmpeg -v error -y -loop 1 -i "$CAR_PHOTO" -vf "pad=2048:576:512:0:color=gray,crop=1024:576:x='min(1024\,t*256)':y=0,format=yuv420p" \
      -r 10 -t 6 -c:v libx264 -preset veryfast -bf 0 -g 10 -f h264 "$LIVE/lane.h264"
  fi
  cat > "$LIVE/lane-gate.json" <<'JSON'
{ "fps": 10, "frameSize": [1024, 576],
  "lines": [ { "id": "lane", "a": [512, 0], "b": [512, 576], "insidePoint": [200, 288] } ], "zones": [] }
JSON
  LANE_CAMERA=",
    { \"id\": \"lane\", \"name\": \"Lane camera (plates)\", \"main\": \"rtsp://127.0.0.1:$((RTSP_PORT + 1))/gate\",
      \"gate\": \"$LIVE/lane-gate.json\", \"analysisFps\": 5, \"analysisWidth\": 1024, \"segmentSeconds\": 10, \"quotaMB\": 500, \"plates\": \"any\" }"
fi
secret() { head -c 24 /dev/urandom | base64 | tr -d '/+='; }
[ -f "$LIVE/agent.key" ] || secret > "$LIVE/agent.key"
KEY="$(cat "$LIVE/agent.key")"
CAM_PASSWORD="gate-camera-pw"

# One user per role, made once; their passwords stay in the console's data folder for later runs.
if [ ! -f "$DATA/logins.txt" ]; then
  : > "$DATA/logins.txt.partial"
  for role in admin guard reviewer investigator; do
    pw="$(secret | head -c 16)"
    if [ "$role" = admin ]; then
      printf '%s\n' "$pw" | "${CONSOLE[@]}" create-admin --name admin --data "$DATA" >/dev/null
    else
      printf '%s\n' "$pw" | "${CONSOLE[@]}" create-user --name "$role" --role "$role" --data "$DATA" >/dev/null
    fi
    printf '%-13s %-13s %s\n' "$role" "$role" "$pw" >> "$DATA/logins.txt.partial"
  done
  mv "$DATA/logins.txt.partial" "$DATA/logins.txt"
fi
# The agent's API is served over TLS with a certificate the agent makes itself; the console trusts it by its
# fingerprint, pinned at registration. So the config is written first without the console (enough for the agent to
# make its certificate and print the fingerprint), then again with the key the registration gave.
write_agent_config() {
  cat > "$LIVE/agent.json" <<JSON
{
  "agentId": "demo-gate",
  "listen": "https://127.0.0.1:$AGENT_PORT",
  "apiKeyFile": "agent.key",
  "dataDir": "data",$1
  "retention": { "maxAgeDays": 1, "lowDiskFreeMB": 512, "sweepSeconds": 60 },
  "cameras": [
    { "id": "pets", "name": "PETS 2009 gate (RTSP)", "main": "rtsp://camera:$CAM_PASSWORD@127.0.0.1:$RTSP_PORT/gate",
      "gate": "$GATE", "analysisFps": 5, "segmentSeconds": 10, "quotaMB": 2000 }$LANE_CAMERA
  ]
}
JSON
}
write_agent_config ""
FINGERPRINT="$("${AGENT[@]}" tls-fingerprint --config "$LIVE/agent.json")"
# The agent registers with the console once and keeps the key it sends its events with; a later run pins the
# certificate again (an earlier demo's agent may have served plain http, or on another port).
if [ ! -f "$LIVE/console.key" ]; then
  "${CONSOLE[@]}" register-agent --id demo-gate --name "Demo gate (PETS 2009)" --url "https://127.0.0.1:$AGENT_PORT/" \
    --fingerprint "$FINGERPRINT" --api-key-file "$LIVE/agent.key" --data "$DATA" > "$LIVE/console.key.partial"
  mv "$LIVE/console.key.partial" "$LIVE/console.key"
else
  "${CONSOLE[@]}" pin-agent --id demo-gate --url "https://127.0.0.1:$AGENT_PORT/" --fingerprint "$FINGERPRINT" --data "$DATA" >/dev/null
fi
write_agent_config "
  \"console\": { \"url\": \"http://127.0.0.1:$CONSOLE_PORT/\", \"key\": \"$(cat "$LIVE/console.key")\" },"

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
/usr/bin/python3 "$ROOT/tests/rtsp/rtsp_server.py" "$LIVE/pets.h264" --port "$RTSP_PORT" --fps 10 \
  --user camera --password "$CAM_PASSWORD" > "$LIVE/rtsp.log" 2>&1 &
pids+=($!)
if [ -n "$LANE_CAMERA" ]; then
  /usr/bin/python3 "$ROOT/tests/rtsp/rtsp_server.py" "$LIVE/lane.h264" --port "$((RTSP_PORT + 1))" --fps 10 > "$LIVE/rtsp-lane.log" 2>&1 &
  pids+=($!)
fi
"${CONSOLE[@]}" serve --data "$DATA" --listen "http://127.0.0.1:$CONSOLE_PORT" > "$DATA/console.log" 2>&1 &
pids+=($!)
"${AGENT[@]}" run --config "$LIVE/agent.json" > "$LIVE/agent.log" 2>&1 &
pids+=($!)

API="https://127.0.0.1:$AGENT_PORT/api"
# curl trusts the agent's own certificate as the console does: that one certificate and nothing else.
AGENT_CA="$LIVE/data/tls/agent.crt"
for url in "https://127.0.0.1:$AGENT_PORT/healthz" "http://127.0.0.1:$CONSOLE_PORT/healthz"; do
  for _ in $(seq 60); do
    curl -sf --cacert "$AGENT_CA" "$url" >/dev/null 2>&1 && break
    sleep 1
  done
done
if [ -n "$LANE_CAMERA" ]; then
  # The lane camera alerts on every plate that is on no list, so the wall shows its plate reads as they come.
  /usr/bin/python3 - "http://127.0.0.1:$CONSOLE_PORT" "$(awk '$1 == "admin" { print $3 }' "$DATA/logins.txt")" <<'PY' || echo "demo: could not set the lane camera's plate policy (see $DATA/console.log)"
import http.cookiejar, json, sys, urllib.request
base, password = sys.argv[1], sys.argv[2]
web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def call(method, path, body=None, csrf=None):
    req = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **({"X-CSRF-TOKEN": csrf} if csrf else {})})
    with web.open(req, timeout=10) as r:
        return json.loads(r.read() or b"null")
csrf = call("GET", "/api/login")["csrf"]
call("POST", "/api/login", {"name": "admin", "password": password}, csrf)
csrf = call("GET", "/api/me")["csrf"]
call("PUT", "/api/plates/policies/demo-gate/lane", {"policy": "alert-unlisted"}, csrf)
print("lane camera : plate policy alert-unlisted (each plate on no list raises an alert on the wall)")
PY
fi
cat <<TXT
console     : http://127.0.0.1:$CONSOLE_PORT/   (log in $DATA/console.log)
logins      : role          user          password
$(sed 's/^/              /' "$DATA/logins.txt")
RTSP camera : rtsp://camera:***@127.0.0.1:$RTSP_PORT/gate (PETS 2009, looped)
$([ -n "$LANE_CAMERA" ] && echo "lane camera : rtsp://127.0.0.1:$((RTSP_PORT + 1))/gate (a car photo panned across the lane line; plates read)")
agent API   : $API   (key in $LIVE/agent.key; agent log in $LIVE/agent.log)
  curl --cacert $AGENT_CA -H "Authorization: Bearer \$(cat $LIVE/agent.key)" $API/health
recordings  : $LIVE/data/recordings/pets
TXT

if [ -n "${DEMO_SECONDS:-}" ]; then
  sleep "$DEMO_SECONDS"
  curl -s --cacert "$AGENT_CA" -H "Authorization: Bearer $KEY" "$API/health" > "$LIVE/health.json"
  curl -s --cacert "$AGENT_CA" -H "Authorization: Bearer $KEY" "$API/events?camera=lane&limit=1000" > "$LIVE/lane-events.json"
  /usr/bin/python3 - "$LIVE/health.json" "$LIVE/lane-events.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
plates = [e["data"]["plate"] for e in json.load(open(sys.argv[2])).get("events", [])
          if e["type"] == "crossing" and "plate" in e["data"]]
read = [p for p in plates if p["text"]]
if plates:
    best = max(read, key=lambda p: p["confidence"]) if read else None
    print(f"lane camera: {len(plates)} vehicle crossings, {len(read)} with a plate read"
          + (f"; best {best['text']} ({best['confidence']:.2f}), crop /api/plates/lane/{best['crop']}" if best else ""))
for c in h["cameras"]:
    lines = ", ".join(f"{k} in {v['in']} out {v['out']}" for k, v in c["lineCounts"].items())
    print(f"camera {c['id']}: {c['state']}, {c['segmentsThisRun']} segments recorded, "
          f"{c['analysedFrames']} frames analysed at {c['analysedFps']}/s; {lines or 'no crossings yet'}")
o = h["outbox"]
print(f"events: {o['lastSeq']} written, {o['pending']} not yet delivered to the console")
PY
else
  echo "running; Ctrl+C stops the console, the agent and the camera"
  wait
fi
