#!/bin/sh
# Instructions per KiB written and read and per file created, stat'ed and listed by the FAT core
# (callgrind), on a RAM disk, so the figures are the core's own work.
#     bench/fat_bench/run.sh [BUILD_DIR]
set -e
BUILD=${1:-build}
BENCH=$(cd "$BUILD" && pwd)/bench/fat_bench/fat_bench
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
[ -x "$BENCH" ] || { echo "build $BENCH first"; exit 1; }
(cd "$OUT" && valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OUT/cg" "$BENCH" >/dev/null 2>&1)
printf "%-28s %14s\n" phase "instr/unit"
for f in "$OUT"/cg.*; do
    label=$(grep -m1 '^desc: Trigger' "$f" | sed 's/.*Client Request: //')
    [ -n "$label" ] || continue
    name=${label%@*}; units=${label#*@}
    ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
    awk -v n="$name" -v ir="$ir" -v u="$units" 'BEGIN { printf "%-28s %14.0f\n", n, ir / u }'
done
