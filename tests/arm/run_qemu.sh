#!/bin/sh
# Runs a Cortex-M program built by the ARM tree on an emulated MPS2 board, its arguments passed
# and its exit status returned through semihosting:
#     tests/arm/run_qemu.sh mps2-an386 PROGRAM [ARGS...]
# With C9_QEMU_COUNT=FILE, every executed instruction is logged (one translation block per
# instruction) and their number is written to FILE.
set -eu
machine=$1; prog=$2; shift 2
args="arg=$prog"
for a in "$@"; do
    case $a in *,*) echo "run_qemu.sh: commas cannot pass through semihosting: $a" >&2; exit 2 ;; esac
    args="$args,arg=$a"
done
set -- qemu-system-arm -M "$machine" -nographic -monitor none -serial none \
    -semihosting-config "enable=on,target=native,$args" -kernel "$prog"
if [ -n "${C9_QEMU_COUNT:-}" ]; then
    fifo=$(mktemp -u); mkfifo "$fifo"
    grep -c '^Trace' "$fifo" > "$C9_QEMU_COUNT" &
    counter=$!
    status=0
    "$@" -singlestep -d exec,nochain -D "$fifo" || status=$?
    wait $counter || true
    rm -f "$fifo"
    exit $status
fi
exec "$@"
