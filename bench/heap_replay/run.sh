#!/bin/sh
# Split-heap benchmark: generates traces for seeds 1-5 at 32 KB and 192 KB with heap_trace_gen.py
# (next to this script), replays each through heap_replay, and prints the median largest free block with and
# without long-lived hints (collections: automatic at heap/8 allocated, and "only when full" as
# MicroPython does), then instructions per operation measured under callgrind (seed 1).
#
#   bench/heap_replay/run.sh [BUILD_DIR]     (default: build-heap next to the repo's CMakeLists)
#
# Instruction counts: heap_replay runs under valgrind --tool=callgrind; callgrind_ops.py adds each
# function's own cost to the inclusive cost of its calls, then divides by the operation counts
# heap_replay prints. GC alloc excludes the collections it triggers (reported separately, per
# collection and amortised per allocation).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build-heap}
bin=$build/bench/heap_replay/heap_replay
gen=$here/heap_trace_gen.py
py=/usr/bin/python3
[ -x "$bin" ] || { echo "build heap_replay first: cmake --build $build --target heap_replay" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for heap in 32768 196608; do
    for seed in 1 2 3 4 5; do
        "$py" "$gen" "$heap" "$seed" > "$work/t_${heap}_$seed.txt" 2>/dev/null
    done
done

field() { sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }
median() { sort -n | sed -n 3p; }

printf '\nLargest free block after the workload, median over seeds 1-5 (bytes)\n'
printf '%-8s %-26s %10s %10s %8s %12s\n' heap collections hints no-hints gain "collections"
for heap in 32768 196608; do
    for policy in threshold full; do
        if [ $policy = threshold ]; then th=$((heap / 8)); label="auto at heap/8 ($th B)"; else th=0; label="only when full"; fi
        h=$(for s in 1 2 3 4 5; do "$bin" "$work/t_${heap}_$s.txt" "$heap" --mode hints --threshold $th | field largest_obtainable; done | median)
        n=$(for s in 1 2 3 4 5; do "$bin" "$work/t_${heap}_$s.txt" "$heap" --mode nohints --threshold $th | field largest_obtainable; done | median)
        c=$(for s in 1 2 3 4 5; do "$bin" "$work/t_${heap}_$s.txt" "$heap" --mode hints --threshold $th | field collections; done | median)
        printf '%-8s %-26s %10s %10s %7sx %12s\n' "$heap" "$label" "$h" "$n" "$(echo "$h $n" | awk '{printf "%.1f", $1/$2}')" "$c"
    done
done
printf '\nOutside heap alone (A allocates, F and D free at once), largest free block, median\n'
for heap in 32768 196608; do
    o=$(for s in 1 2 3 4 5; do "$bin" "$work/t_${heap}_$s.txt" "$heap" --mode outside | field largest_free; done | median)
    printf '%-8s %10s\n' "$heap" "$o"
done

if ! command -v valgrind >/dev/null; then
    echo "valgrind not found: no instruction counts" >&2
    exit 0
fi
printf '\nInstructions per operation (callgrind, seed 1)\n'
for heap in 32768 196608; do
    for mode in hints outside; do
        out=$(valgrind --tool=callgrind --compress-strings=no --compress-pos=no \
              --callgrind-out-file="$work/cg.out" "$bin" "$work/t_${heap}_1.txt" "$heap" --mode $mode \
              --threshold $((heap / 8)) 2>/dev/null)
        a=$(echo "$out" | field allocs); f=$(echo "$out" | field frees)
        c=$(echo "$out" | sed -n 's/.* collections=\([0-9]*\) .*/\1/p'); c=${c:-0}
        e=$(echo "$out" | field explicit_collections); e=${e:-0}
        printf '%-8s %-8s %s\n' "$heap" "$mode" "$("$py" "$here/callgrind_ops.py" "$work/cg.out" "$a" "$f" "$c" "$e")"
    done
done
