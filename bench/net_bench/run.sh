#!/bin/sh
# HTTP requests per second against a local nginx (circuit9's client and curl, reuse and fresh
# connections, HTTP and HTTPS), then circuit9's client instructions per request (callgrind).
#     bench/net_bench/run.sh [BUILD_DIR] [REQUESTS]
set -e
BUILD=${1:-build}
N=${2:-2000}
BENCH=$(cd "$BUILD" && pwd)/bench/net_bench/net_bench
[ -x "$BENCH" ] || { echo "build $BENCH first"; exit 1; }
"$BENCH" --requests "$N"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
if command -v valgrind >/dev/null; then
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$OUT/cg" "$BENCH" --callgrind 200 \
        > "$OUT/stdout" 2>/dev/null || true
    echo
    printf "%-34s %14s\n" "circuit9 client (user space)" "instr/request"
    for f in "$OUT"/cg.*; do
        label=$(grep -m1 '^desc: Trigger' "$f" | sed 's/.*Client Request: //')
        [ -n "$label" ] || continue
        ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$f")
        n=${label##*n=}
        awk -v l="${label% n=*}" -v ir="$ir" -v n="$n" 'BEGIN { printf "%-34s %14.0f\n", l, ir / n }'
    done
fi
# The same at the Python level: a program on the virtual board through socketpool and ssl.
echo
/usr/bin/python3 "$(dirname "$0")/py_requests.py" "$BUILD" "$N"
