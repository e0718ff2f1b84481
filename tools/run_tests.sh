#!/usr/bin/env bash
# The whole test suite, as `make test` and CI run it:
#   1. the normal build: C unit tests, pytest, golden scripts (ctest)
#   2. an ASan+UBSan build: the same C unit tests and golden scripts
#   3. the cores on microcontrollers (tests/arm/portability.py): every core built for a Cortex-M0+
#      and a Cortex-M4F at -Os with warnings as errors over a config matrix, with the size table;
#      the unit tests that need only the cores run under qemu-system-arm (M4F defaults, M0+ in a
#      small-board config) and on the host with vector extensions and palette tables off
#   4. a clang libFuzzer build: each fuzz target for a few seconds over its seed corpus, then the
#      Python API fuzzer (tests/fuzz/pyfuzz.py) in the ASan build (320 cases per fuzz second)
# Prints one summary line per stage and a final "N passed, N failed" line.
set -u
BUILD=${1:-build}; ASAN=${2:-build-asan}; FUZZ=${3:-build-fuzz}; SECONDS_PER_FUZZER=${4:-15}; JOBS=${5:-2}
ARM=${6:-build-arm}
cd "$(dirname "$0")/.."
passed=0; failed=0; stages_failed=()

count() { # parse ctest's "N tests failed out of M" line from a log file
    local log=$1 line total bad
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1)
    if [ -z "$line" ]; then echo "0 0"; return; fi
    total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
    bad=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed.*/\1/')
    echo "$((total - bad)) $bad"
}

stage() { # name, log, command...
    local name=$1 log=$2; shift 2
    echo "== $name"
    "$@" >"$log" 2>&1
    local rc=$?
    read -r p f < <(count "$log")
    passed=$((passed + p)); failed=$((failed + f))
    grep -E '(Failed|\*\*\*Exception|\*\*\*Timeout|Not Run)' "$log" | sed 's/^/   /'
    tail -n 3 "$log" | grep -E 'tests passed|tests failed' | sed 's/^/   /'
    if [ $rc -ne 0 ]; then
        stages_failed+=("$name")
        [ "$f" -eq 0 ] && { failed=$((failed + 1)); tail -n 40 "$log"; }
    fi
}

mkdir -p "$BUILD"
stage "tests ($BUILD)" "$BUILD/test.log" ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" --timeout 600

echo "== building with AddressSanitizer + UndefinedBehaviorSanitizer ($ASAN)"
asan_ok=0
if cmake -S . -B "$ASAN" -DC9_SANITIZE=ON -DC9_PYTHON=ON -DC9_PYFUZZ_CASES=$((SECONDS_PER_FUZZER * 320)) \
        -DC9_PYFUZZ_SECONDS=$((SECONDS_PER_FUZZER * 8)) \
        >"$ASAN.cmake.log" 2>&1 &&
   cmake --build "$ASAN" -j"$JOBS" >"$ASAN.build.log" 2>&1; then
    # The golden scripts run the circuit9 executable, itself built with the sanitizers; CPython's
    # own allocations are not instrumented, and leak checking is off because the interpreter
    # keeps its arenas until exit. Stack use after return is on (a view of a dead C stack frame
    # handed to Python); the pytest entries get the same options from tests/CMakeLists.txt.
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        stage "sanitizer tests ($ASAN)" "$ASAN/test.log" \
        ctest --test-dir "$ASAN" --output-on-failure -j"$JOBS" --timeout 900 -LE pyfuzz
    asan_ok=1
else
    tail -n 40 "$ASAN.build.log" "$ASAN.cmake.log" 2>/dev/null
    stages_failed+=("asan build"); failed=$((failed + 1))
fi

mkdir -p "$ARM"
echo "== cores on Cortex-M0+ and Cortex-M4F ($ARM)"
if /usr/bin/python3 tests/arm/portability.py --root "$ARM" --jobs "$JOBS" matrix >"$ARM/matrix.log" 2>&1; then
    sed -n '/^Code (flash/,/^m0plus-small, all cores/p' "$ARM/matrix.log" | sed 's/^/   /'
else
    tail -n 40 "$ARM/matrix.log"
    stages_failed+=("cortex-m matrix"); failed=$((failed + 1))
fi
for tree in test-m4f test-m0plus-small host-novec; do
    stage "unit tests ($ARM/$tree)" "$ARM/$tree.log" \
        /usr/bin/python3 tests/arm/portability.py --root "$ARM" --jobs "$JOBS" test "$tree"
done

if ls tests/fuzz/fuzz_*.c >/dev/null 2>&1; then
    echo "== building fuzz targets with clang libFuzzer ($FUZZ), ${SECONDS_PER_FUZZER}s each"
    if CC=clang cmake -S . -B "$FUZZ" -DC9_FUZZ=ON -DC9_PYTHON=OFF -DC9_FUZZ_SECONDS="$SECONDS_PER_FUZZER" \
            >"$FUZZ.cmake.log" 2>&1 && cmake --build "$FUZZ" -j"$JOBS" >"$FUZZ.build.log" 2>&1; then
        stage "fuzz smoke ($FUZZ)" "$FUZZ/test.log" ctest --test-dir "$FUZZ" --output-on-failure -L fuzz -j"$JOBS"
    else
        tail -n 40 "$FUZZ.build.log" "$FUZZ.cmake.log" 2>/dev/null
        stages_failed+=("fuzz build"); failed=$((failed + 1))
    fi
fi

# The Python API fuzzer: random calls into every binding, in the sanitizer build (seed printed).
if [ "$asan_ok" -eq 1 ]; then
    echo "== Python API fuzzer in $ASAN, seed 1, $((SECONDS_PER_FUZZER * 320)) cases"
    last="$ASAN/Testing/Temporary/LastTest.log" # keep the sanitizer stage's log for the case counts
    cp "$last" "$last.sanitizer" 2>/dev/null
    stage "python API fuzz ($ASAN)" "$ASAN/pyfuzz.log" ctest --test-dir "$ASAN" --output-on-failure -L pyfuzz
    mv "$last.sanitizer" "$last" 2>/dev/null
fi

# The pytest and cmocka entries each hold many cases: report those too (for information; the
# closing line counts CTest entries).
cases() {
    local log=$1/Testing/Temporary/LastTest.log
    [ -f "$log" ] || return
    local py cm
    py=$(grep -hoE '^[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
    cm=$(grep -hoE '^\[  PASSED  \] [0-9]+ test' "$log" | awk '{s+=$4} END {print s+0}')
    echo "   $1: $py pytest cases and $cm cmocka cases passed"
}
echo
for d in "$BUILD" "$ASAN" "$ARM/test-m4f" "$ARM/test-m0plus-small" "$ARM/host-novec"; do cases "$d"; done
if [ ${#stages_failed[@]} -gt 0 ]; then
    echo "failing stages: ${stages_failed[*]}"
fi
echo "circuit9: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#stages_failed[@]} -eq 0 ]
