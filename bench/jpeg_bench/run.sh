#!/usr/bin/env bash
# Runs jpeg_bench under callgrind on the files given, or on the JPEG photos in the directory named
# by C9_JPEG_BENCH_DIR (without either: the repository's photograph, tests/fixtures/jpeg), and prints
# instructions per source pixel, ratios, PSNR and work memory.
#   bench/jpeg_bench/run.sh [BUILD_DIR] [FILES...]
#   C9_JPEG_BENCH_DIR=~/photos bench/jpeg_bench/run.sh build
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
[ $# -gt 0 ] && shift
bin="$build/bench/jpeg_bench/jpeg_bench"
[ -x "$bin" ] || { echo "run.sh: $bin not built (cmake --build $build)" >&2; exit 1; }
if [ $# -eq 0 ] && [ -z "${C9_JPEG_BENCH_DIR:-}" ]; then
  # The repository's photograph (the IJG test image, 227x149, 4:2:0): enough for a first figure;
  # a directory of real photos gives the pixel-weighted one.
  echo "run.sh: no files and no C9_JPEG_BENCH_DIR: measuring tests/fixtures/jpeg/testorig_227x149.jpg"
  set -- "$root/tests/fixtures/jpeg/testorig_227x149.jpg"
elif [ $# -eq 0 ]; then
  # Every JPEG there except files named as broken (bad_*) or in formats the decoder rejects by
  # design (CMYK, 12-bit, arithmetic coding).
  set -- $(ls "$C9_JPEG_BENCH_DIR"/*.jpg | grep -v -E 'bad_|cmyk|12bit|arith')
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
C9_CG_OUT="$tmp/cg.out" valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$tmp/cg.out" \
  -q "$bin" "$@"
