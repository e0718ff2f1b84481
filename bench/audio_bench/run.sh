#!/bin/sh
# Instructions per output frame of the audio core (callgrind): a Mixer of two voices on a PWM
# output, an 8-bit stereo RawSample on I2S, a WaveFile on I2S.
#     bench/audio_bench/run.sh [BUILD_DIR]
set -e
BUILD=${1:-build}
BENCH=$(cd "$BUILD" && pwd)/bench/audio_bench/audio_bench
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
[ -x "$BENCH" ] || { echo "build $BENCH first"; exit 1; }
(cd "$OUT" && valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OUT/cg" "$BENCH" >/dev/null 2>&1)
printf "%-40s %12s\n" case instr/frame
for f in "$OUT"/cg.*; do
    label=$(grep -m1 '^desc: Trigger' "$f" | sed 's/.*Client Request: //')
    [ -n "$label" ] || continue
    ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
    awk -v l="${label%@*}" -v ir="$ir" -v n="${label#*@}" 'BEGIN { printf "%-40s %12.1f\n", l, ir / n }'
done
