#!/bin/sh
# Compositor instructions per pixel (callgrind), partial-update bytes and bus times.
#     bench/display_bench/run.sh [BUILD_DIR]
set -e
BUILD=${1:-build}
BENCH=$(cd "$BUILD" && pwd)/bench/display_bench/display_bench
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
[ -x "$BENCH" ] || { echo "build $BENCH first"; exit 1; }
(cd "$OUT" && valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OUT/cg" "$BENCH" \
    > "$OUT/stdout" 2>/dev/null)
printf "%-32s %10s %8s %14s\n" "full-frame composition" instr/px goal "Blinka ~us/px"
for f in "$OUT"/cg.*; do
    label=$(grep -m1 '^desc: Trigger' "$f" | sed 's/.*Client Request: //')
    [ -n "$label" ] || continue
    ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
    goal=12; case $label in *text*) goal=20 ;; *vectorio*) goal=- ;; esac
    awk -v l="$label" -v ir="$ir" -v g="$goal" 'BEGIN { printf "%-32s %10.2f %8s %14s\n", l, ir / 76800, g, "1.5" }'
done
cat "$OUT/stdout"
