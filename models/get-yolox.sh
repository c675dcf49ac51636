#!/usr/bin/env bash
# Rebuild models/yolox_nano_640x384.onnx from the team's YOLOX-Nano file (../shared/models/yolox-nano/).
#
#   models/get-yolox.sh [SOURCE.onnx]
#
# The source is YOLOX-Nano's 416x416 export (sha256 pinned below; provenance in models/README.md). The input
# size is rewritten by resize_yolox.py with Debian's python3-onnx; the result is byte-for-byte reproducible and
# replaces the committed file only when its SHA-256 matches yolox_nano_640x384.onnx.sha256.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="${1:-$HERE/../../shared/models/yolox-nano/yolox_nano.onnx}"
SRC_SHA256="695e750a5d5754bb5a8d5325643b59282191a7e7a564e435a415fd3c578eab14"
OUT="$HERE/yolox_nano_640x384.onnx"
PY=/usr/bin/python3

die() { echo "get-yolox.sh: $*" >&2; exit 1; }
[ -f "$SRC" ] || die "$SRC: no such file (the YOLOX-Nano 416x416 ONNX; see models/README.md)"
echo "$SRC_SHA256  $SRC" | sha256sum -c --quiet - || die "$SRC is not the pinned YOLOX-Nano export"
if ! "$PY" -c "import onnx" 2>/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
    $SUDO apt-get install -y -o DPkg::Lock::Timeout=600 python3-onnx python3-numpy >&2
fi
"$PY" "$HERE/resize_yolox.py" "$SRC" "$OUT.new" 640 384
expected="$(cut -d' ' -f1 "$HERE/yolox_nano_640x384.onnx.sha256")"
actual="$(sha256sum "$OUT.new" | cut -d' ' -f1)"
[ "$actual" = "$expected" ] || die "made $OUT.new with SHA-256 $actual, expected $expected; left it there"
mv "$OUT.new" "$OUT"
echo "get-yolox.sh: $OUT ok ($actual)"
