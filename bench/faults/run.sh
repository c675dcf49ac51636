#!/usr/bin/env bash
# The fault campaign: bench/faults/run.sh [--minutes N] [--seed S] [--no-reliability] (more: campaign.py --help).
# Builds the agent and the console in Release once, then runs bench/faults/campaign.py as root (it mounts a
# tmpfs for the agent's data). Output in bench/faults/out/run; the table goes into bench/RELIABILITY.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
need=()
command -v ffmpeg >/dev/null 2>&1 || need+=(ffmpeg)
[ -f /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] || need+=(faketime)
/usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0')" >/dev/null 2>&1 ||
  need+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
dpkg -s libgtk-3-0 >/dev/null 2>&1 || need+=(libgtk-3-0)
if [ ${#need[@]} -gt 0 ]; then
  echo "faults: installing ${need[*]}"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
fi
echo "faults: building the agent and the console (Release)"
dotnet build src/GateAgent -c Release -nologo -v q
dotnet build src/Console -c Release -nologo -v q
exec $SUDO /usr/bin/python3 "$ROOT/bench/faults/campaign.py" "$@"
