#!/usr/bin/env bash
# Code size of the JPEG decoder for a Cortex-M4 at -Os (Debian's arm-none-eabi-gcc), text bytes of
# every core/jpeg source, for the configurations a firmware picks from (include/circuit9/jpeg.h):
# both arithmetics (TJpgDec's, for a board's pixels, and circuit9's own), progressive JPEG and the
# FAST profile each in or out.
#   bench/jpeg_bench/m4_size.sh [-v]      (-v: per file)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cc=arm-none-eabi-gcc
command -v $cc >/dev/null || { echo "m4_size.sh: needs gcc-arm-none-eabi" >&2; exit 1; }
flags=(-mcpu=cortex-m4 -mthumb -Os -std=gnu11 -ffunction-sections -fdata-sections
       -Wall -Wextra -Werror -Wundef -Wno-unused-parameter -I"$root/include" -I"$root/core")
verbose=${1:-}
size_of() { # name, -D options...
  local name=$1; shift
  local objs=() i=0
  for path in "$root"/core/jpeg/*.c; do
    $cc "${flags[@]}" "$@" -c "$path" -o "$tmp/$i.o"
    objs+=("$tmp/$i.o"); i=$((i + 1))
  done
  local total
  total=$(arm-none-eabi-size -t "${objs[@]}" | tail -1 | awk '{print $1}')
  printf '%-62s %6d bytes\n' "$name" "$total"
  if [ "$verbose" = -v ]; then
    arm-none-eabi-size "${objs[@]}" | sed 1d | paste - <(ls "$root"/core/jpeg/*.c | xargs -n1 basename) |
      awk '{printf "    %-22s %6d\n", $7, $1}'
  fi
}
size_of "compact, both arithmetics, progressive (default build)" -DC9_JPEG_FAST_PROFILE=0
size_of "compact, both arithmetics, no progressive" -DC9_JPEG_FAST_PROFILE=0 -DC9_JPEG_PROGRESSIVE=0
size_of "compact, TJpgDec's arithmetic only (a board's pixels), progressive" -DC9_JPEG_FAST_PROFILE=0 \
  -DC9_JPEG_QUALITY_MODE=0
size_of "compact, TJpgDec's arithmetic only, no progressive" -DC9_JPEG_FAST_PROFILE=0 -DC9_JPEG_QUALITY_MODE=0 \
  -DC9_JPEG_PROGRESSIVE=0
size_of "compact, circuit9's arithmetic only, no progressive" -DC9_JPEG_FAST_PROFILE=0 -DC9_JPEG_TJPGD_MODE=0 \
  -DC9_JPEG_PROGRESSIVE=0
size_of "compact + fast profiles, both arithmetics, progressive" -DC9_JPEG_FAST_PROFILE=1
