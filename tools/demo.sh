#!/usr/bin/env bash
# `make demo`: runs examples/CIRCUITPY once on the T-Display-S3 board (320x170 ST7789 on a parallel
# bus; its CircuitPython build has bitmapfilter, which the 4 MB camera board's leaves out): the
# photo is decoded with jpegio, given a sepia tone with bitmapfilter and shown with displayio. The display is saved as a PNG whose path is printed; a window shows it too when
# a display server is present.
#
#     tools/demo.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/.."
EXE="$BUILD/circuit9"
[ -x "$EXE" ] || { echo "demo: $EXE is missing; run make first" >&2; exit 1; }

# The board writes boot_out.txt into its drive: run a copy, not the checked-in folder.
WORK="$BUILD/demo"
rm -rf "$WORK"
mkdir -p "$WORK"
cp -r examples/CIRCUITPY "$WORK/CIRCUITPY"
SHOT="$(cd "$BUILD" && pwd)/demo.png"
rm -f "$SHOT"

status=0
"$EXE" run "$WORK/CIRCUITPY" --board tdisplay_s3 --runs 1 --screenshot "$SHOT" </dev/null || status=$?
if [ -f "$SHOT" ]; then
    echo "demo: screenshot written to $SHOT"
fi
exit $status
