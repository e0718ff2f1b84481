#!/usr/bin/env bash
# Code size of the JPEG decoder for a Cortex-M4 at -Os (Debian's arm-none-eabi-gcc), for the
# compact-only build (C9_JPEG_FAST_PROFILE=0) and for the build with both profiles.
#   bench/jpeg_bench/m4_size.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cc=arm-none-eabi-gcc
command -v $cc >/dev/null || { echo "m4_size.sh: needs gcc-arm-none-eabi" >&2; exit 1; }
flags=(-mcpu=cortex-m4 -mthumb -Os -std=gnu11 -ffunction-sections -fdata-sections
       -Wall -Wextra -Werror -Wundef -Wno-unused-parameter -I"$root/include" -I"$root/core")
for fast in 0 1; do
  objs=()
  for path in "$root"/core/jpeg/*.c; do
    src="$(basename "$path")"
    $cc "${flags[@]}" -DC9_JPEG_FAST_PROFILE=$fast -c "$path" -o "$tmp/${src%.c}.$fast.o"
    objs+=("$tmp/${src%.c}.$fast.o")
  done
  echo "C9_JPEG_FAST_PROFILE=$fast:"
  arm-none-eabi-size -t "${objs[@]}" | sed 's|'"$tmp"'/||'
done
