#!/usr/bin/env bash
# Instructions per pixel of the JPEG decoder and of morph on x86-64 (callgrind), on a Cortex-M4F
# and on a Cortex-M0+ (qemu-system-arm, one instruction per translation block, every executed
# block logged and counted: tests/arm/run_qemu.sh), from the same program (arm_ipp.c). Each case
# runs with 1 and 2 repetitions; the difference of the two counts over the pixels of one
# repetition is the figure, so start-up and file loading cancel out.
#
#   bench/arm_ipp/run.sh [HOST_BUILD [ARM_ROOT [JPEG_FILES...]]]
#
# HOST_BUILD (default build) must have bench/arm_ipp/arm_ipp built; the Cortex-M programs are built
# in ARM_ROOT/ipp-m4f and ARM_ROOT/ipp-m0plus (default build-arm). JPEG files default to the
# repository's photograph, tests/fixtures/jpeg/testorig_227x149.jpg (227x149, 4:2:0); give others
# (a directory of photos: "$DIR"/*.jpg) to weight over them. A run takes about 15 minutes on a
# shared 2-core machine: the Cortex-M counts go through qemu's log (about a million instructions a
# second).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
host_build="$(cd "${1:-$root/build}" && pwd)"
arm_root="${2:-$root/build-arm}"
[ $# -gt 0 ] && shift
[ $# -gt 0 ] && shift
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("$root/tests/fixtures/jpeg/testorig_227x149.jpg")
for i in "${!files[@]}"; do files[$i]="$(cd "$(dirname "${files[$i]}")" && pwd)/$(basename "${files[$i]}")"; done

host="$host_build/bench/arm_ipp/arm_ipp"
[ -x "$host" ] || { echo "run.sh: build $host first (cmake --build $host_build --target arm_ipp)" >&2; exit 1; }
for cpu in m4f m0plus; do
  tree="$arm_root/ipp-$cpu"
  cmake -S "$root" -B "$tree" -DCMAKE_TOOLCHAIN_FILE="$root/tests/arm/toolchain.cmake" -DC9_ARM_CPU=$cpu \
    -DCMAKE_BUILD_TYPE=MinSizeRel >"$tree.log" 2>&1 || { cat "$tree.log"; exit 1; }
  cmake --build "$tree" --target arm_ipp >>"$tree.log" 2>&1 || { tail -n 30 "$tree.log"; exit 1; }
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

host_count() { # args...: total instructions under callgrind
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$host" "$@" >"$tmp/out" 2>/dev/null
  awk '/^(summary|totals):/ { print $2; exit }' "$tmp/cg.out"
}
arm_count() { # cpu args...
  local cpu=$1; shift
  local machine=mps2-an386
  [ "$cpu" = m0plus ] && machine=mps2-an385
  C9_QEMU_COUNT="$tmp/n" "$root/tests/arm/run_qemu.sh" $machine "$arm_root/ipp-$cpu/bench/arm_ipp/arm_ipp" "$@" \
    >"$tmp/out"
  cat "$tmp/n"
}
per_pixel() { # counter [cpu] -- args with REPS as the literal word REPS
  local counter=$1; shift
  local pre=()
  while [ "$1" != -- ]; do pre+=("$1"); shift; done
  shift
  local a=("${@/REPS/1}") b=("${@/REPS/2}")
  local one two px
  one=$($counter "${pre[@]}" "${a[@]}")
  px=$(head -1 "$tmp/out")
  two=$($counter "${pre[@]}" "${b[@]}")
  awk -v a="$one" -v b="$two" -v px="$px" 'BEGIN { printf "%.1f", (b - a) / px }'
}

printf '%-28s %10s %10s %10s   %s\n' "instructions per pixel" x86-64 Cortex-M4F Cortex-M0+ "reference (x86-64 instr/px)"
row() { # label reference args...
  local label=$1 ref=$2; shift 2
  local x m4 m0
  x=$(per_pixel host_count -- "$@")
  m4=$(per_pixel arm_count m4f -- "$@")
  m0=$(per_pixel arm_count m0plus -- "$@")
  printf '%-28s %10s %10s %10s   %s\n' "$label" "$x" "$m4" "$m0" "$ref"
}
row "morph 3x3 @320x240" "CircuitPython 9: 313, goal <= 75" morph 3 REPS
row "morph 5x5 @320x240" "CircuitPython 9: 671, goal <= 160" morph 5 REPS
row "jpeg compact 1/1" "TJpgDec: 137, goal <= 90" jpeg compact 0 q REPS "${files[@]}"
row "jpeg compact 1/8" "TJpgDec: 56, goal <= 12" jpeg compact 3 q REPS "${files[@]}"
row "jpeg fast 1/1" "goal <= 55" jpeg fast 0 q REPS "${files[@]}"
row "jpeg fast 1/8" "goal <= 10" jpeg fast 3 q REPS "${files[@]}"
row "jpeg board pixels (tj) 1/1" "TJpgDec: 137" jpeg compact 0 tj REPS "${files[@]}"
row "jpeg board pixels (tj) 1/8" "TJpgDec: 56" jpeg compact 3 tj REPS "${files[@]}"
echo "JPEG: source pixels of ${#files[@]} file(s), RGB565 out; the references are per source pixel too."
