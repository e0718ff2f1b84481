#!/bin/sh
# Instructions per pixel of every bitmapfilter operation (callgrind), Pillow's Kernel filter
# from the same run where python3-pil is installed, and ratios against the anchors
# (docs/architecture.md, "Figures to beat").
#     bench/filter_bench/run.sh [BUILD_DIR]
set -e
BUILD=${1:-build}
BENCH=$(cd "$BUILD" && pwd)/bench/filter_bench/filter_bench
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
[ -x "$BENCH" ] || { echo "build $BENCH first"; exit 1; }

count() { # total Ir of one callgrind dump file
    awk '/^(summary|totals):/ { print $2; exit }' "$1"
}

for variant in fast portable; do
    flag=""; [ $variant = portable ] && flag=--portable
    (cd "$OUT" && valgrind --tool=callgrind --collect-atstart=no \
        --callgrind-out-file="$OUT/cg.$variant" "$BENCH" $flag >/dev/null 2>&1)
done

# anchors: CircuitPython 9 / goal (docs/architecture.md)
anchor() {
    case $1 in
    morph3x3) echo "313 75" ;; morph5x5) echo "671 160" ;; mix) echo "68 25" ;;
    solarize) echo "67 30" ;; lookup) echo "25 10" ;; false_color) echo "37 12" ;; blend) echo "61 20" ;;
    esac
}
printf "%-24s %10s %10s %8s %8s %10s\n" op instr/px portable CP9 goal "CP9/ours"
for f in "$OUT"/cg.fast.*; do
    label=$(grep -m1 '^desc: Trigger' "$f" | sed 's/.*Client Request: //')
    [ -n "$label" ] || continue
    part=${f##*.}
    name=${label%@*}; dims=${label#*@}
    px=$(( ${dims%x*} * ${dims#*x} ))
    ir=$(count "$f"); irp=$(count "$OUT/cg.portable.$part")
    set -- $(anchor "$name")
    awk -v l="$label" -v ir="$ir" -v irp="$irp" -v px="$px" -v cp="$1" -v goal="$2" 'BEGIN {
        v = ir / px; printf "%-24s %10.1f %10.1f %8s %8s %9.2fx\n", l, v, irp / px, cp, goal, cp / v }'
done

if /usr/bin/python3 -c "import PIL" 2>/dev/null; then
    for k in 3 5; do
        for mode in baseline filter; do
            valgrind --tool=callgrind --callgrind-out-file="$OUT/pil.$k.$mode" \
                /usr/bin/python3 "$(dirname "$0")/pillow_kernel.py" $k $mode >/dev/null 2>&1
        done
        b=$(count "$OUT/pil.$k.baseline"); f=$(count "$OUT/pil.$k.filter")
        awk -v k=$k -v b="$b" -v f="$f" 'BEGIN {
            printf "Pillow %s ImageFilter.Kernel %dx%d @320x240: %.1f instr/px\n", "'"$(/usr/bin/python3 -c 'import PIL; print(PIL.__version__)')"'", k, k, (f - b) / 4 / 76800 }'
    done
else
    echo "Pillow (python3-pil) not installed: no Pillow figures"
fi
