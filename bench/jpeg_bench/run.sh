#!/usr/bin/env bash
# Runs jpeg_bench under callgrind on the real baseline photos of ../shared/testdata/jpeg (or on the
# files given) and prints instructions per source pixel, ratios, PSNR and work memory.
#   bench/jpeg_bench/run.sh [BUILD_DIR] [FILES...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
[ $# -gt 0 ] && shift
bin="$build/bench/jpeg_bench/jpeg_bench"
[ -x "$bin" ] || { echo "run.sh: $bin not built (cmake --build $build)" >&2; exit 1; }
if [ $# -eq 0 ]; then
  data="$root/../shared/testdata/jpeg"
  # Real photographs, baseline only: the unmodified mate-backgrounds and JPEGDEC images, the IJG
  # test image, and the resized/re-encoded photo variants (progressive, CMYK, 12-bit, arithmetic
  # and broken files are not decodable by design).
  set -- $(ls "$data"/*.jpg | grep -v -E 'bad_|_prog|cmyk|12bit|arith')
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
C9_CG_OUT="$tmp/cg.out" valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$tmp/cg.out" \
  -q "$bin" "$@"
