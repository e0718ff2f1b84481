#!/usr/bin/python3
"""The cores on microcontrollers, proven by building and running them (make test, make size).

    tests/arm/portability.py [--root DIR] [--jobs N] matrix   build every configuration below
    tests/arm/portability.py [--root DIR] [--jobs N] size     build the sized ones, print the table
    tests/arm/portability.py [--root DIR] [--jobs N] test NAME   build a test tree, run its unit tests

Every configuration builds every core/<module> (the tree finds them; nothing here names a core)
with Debian's arm-none-eabi-gcc at -Os and the project's warnings as errors. Test trees also build
the unit tests that need nothing but the cores and newlib and run them under qemu-system-arm
(tests/arm/run_qemu.sh); "host-novec" runs the host unit tests with the vector extensions off.
Build trees go to DIR/<name> (default build-arm/).
"""
import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NO_MALLOC = ["C9_NO_MALLOC=1"]
SMALL = ["C9_JPEG_FAST_PROFILE=0", "C9_DISPLAY_PALETTE_LUTS=0", "C9_DISPLAY_BUFFER_BYTES=512"]

# name: (cpu or None for the host, config.h knobs, what the tree is for)
CONFIGS = {
    "m0plus": ("m0plus", NO_MALLOC, "size"),
    "m4f": ("m4f", NO_MALLOC, "size"),
    "m4f-compact": ("m4f", NO_MALLOC + ["C9_JPEG_FAST_PROFILE=0"], "size"),
    "m0plus-small": ("m0plus", NO_MALLOC + SMALL + ["C9_ERR_TEXTS=0"], "size"),
    "m4f-novec": ("m4f", NO_MALLOC + ["C9_USE_VECTOR_EXT=0"], "build"),
    # Unit tests need the default allocator, so malloc stays on in the test trees.
    "test-m4f": ("m4f", [], "test"),
    "test-m0plus-small": ("m0plus", SMALL, "test"),
    "host-novec": (None, ["C9_USE_VECTOR_EXT=0", "C9_DISPLAY_PALETTE_LUTS=0"], "test"),
}

# Cortex-M4 code at -Os of the programs each core replaces (docs/architecture.md).
ANCHORS = {
    "jpeg": "TJpgDec R0.03 4.5 KB (goal: compact <= 8 KB, with FAST <= 12 KB)",
    "filter": "CircuitPython 9 bitmapfilter 2.5 KB",
    "heap": "TLSF 5.1 KB (outheap.c alone: see below)",
}


def run(cmd, log=None, cwd=ROOT):
    if log is None:
        return subprocess.run(cmd, cwd=cwd).returncode
    with open(log, "a") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        return subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT).returncode


def configure_and_build(name, root, jobs, target):
    cpu, knobs, _ = CONFIGS[name]
    tree = os.path.join(root, name)
    os.makedirs(tree, exist_ok=True)
    log = os.path.join(tree, "build.log")
    open(log, "w").close()
    cmd = ["cmake", "-S", ROOT, "-B", tree, "-DC9_CONFIG=" + ";".join(knobs)]
    if cpu:
        cmd += ["-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(ROOT, "tests/arm/toolchain.cmake"), "-DC9_ARM_CPU=" + cpu,
                "-DCMAKE_BUILD_TYPE=MinSizeRel"]
    else:
        cmd += ["-DC9_PYTHON=OFF"]
    if os.environ.get("CMAKE_C_COMPILER_LAUNCHER"):
        cmd.append("-DCMAKE_C_COMPILER_LAUNCHER=" + os.environ["CMAKE_C_COMPILER_LAUNCHER"])
    ok = run(cmd, log) == 0 and run(["cmake", "--build", tree, "-j", str(jobs), "--target", target], log) == 0
    if not ok:
        with open(log) as f:
            sys.stdout.write(f"== {name}: build failed; the end of {log}:\n" + "".join(f.readlines()[-30:]))
    return tree if ok else None


def sizes_of(tree):
    """{core: (code, ram)} from the static libraries, and {object: (code, ram)} per object file."""
    libs = {}
    for d, _, files in os.walk(tree):
        for f in files:
            m = re.fullmatch(r"libc9_(\w+)\.a", f)
            if m and m.group(1) != "sizes":
                libs[m.group(1)] = os.path.join(d, f)
    cores, objects = {}, {}
    for name, path in sorted(libs.items()):
        out = subprocess.run(["arm-none-eabi-size", "-t", path], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines()[1:]:
            text, data, bss = (int(x) for x in line.split()[:3])
            obj = line.split()[5]  # "outheap.c.obj (ex .../libc9_heap.a)"
            if "(TOTALS)" in line:
                cores[name] = (text + data, data + bss)
            else:
                objects[f"{name}/{obj.split('.')[0]}"] = (text + data, data + bss)
    return cores, objects


def struct_sizes(tree):
    lib = os.path.join(tree, "libc9_sizes.a")
    out = subprocess.run(["arm-none-eabi-nm", "-S", lib], capture_output=True, text=True, check=True).stdout
    return {m.group(2): int(m.group(1), 16) for m in re.finditer(r"^\S+ (\S+) \w c9_sizeof_(\w+)$", out, re.M)}


def kb(n):
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


def print_sizes(trees):
    m0, m4 = sizes_of(trees["m0plus"]), sizes_of(trees["m4f"])
    compact = sizes_of(trees["m4f-compact"])
    small = sizes_of(trees["m0plus-small"])
    print("Code (flash: text + data) and static RAM (data + bss) per core, -Os, C9_NO_MALLOC=1")
    print(f"{'core':10} {'M0+ code':>10} {'M0+ RAM':>9} {'M4F code':>10} {'M4F RAM':>9}  anchor (Cortex-M4, -Os)")
    total = [0, 0, 0, 0]
    for core in sorted(m4[0]):
        a, b = m0[0].get(core, (0, 0)), m4[0][core]
        total = [total[0] + a[0], total[1] + a[1], total[2] + b[0], total[3] + b[1]]
        print(f"{core:10} {kb(a[0]):>10} {kb(a[1]):>9} {kb(b[0]):>10} {kb(b[1]):>9}  {ANCHORS.get(core, '')}")
    print(f"{'all':10} {kb(total[0]):>10} {kb(total[1]):>9} {kb(total[2]):>10} {kb(total[3]):>9}")
    j = compact[0].get("jpeg")
    if j:
        print(f"jpeg without the FAST profile (C9_JPEG_FAST_PROFILE=0): M4F {kb(j[0])} code")
    o = m4[1].get("heap/outheap")
    if o:
        print(f"heap/outheap.c alone (the TLSF-class outside heap): M4F {kb(o[0])} code")
    s0, s4, ss = struct_sizes(trees["m0plus"]), struct_sizes(trees["m4f"]), struct_sizes(trees["m0plus-small"])
    print("\nMemory a program gives each object (sizeof on the target; m0plus-small: no palette tables,")
    print("a 512-byte compose buffer, no JPEG FAST profile, error names instead of sentences)")
    print(f"{'object':18} {'M0+':>9} {'M4F':>9} {'M0+ small':>10}")
    for name in sorted(s4):
        print(f"{name:18} {kb(s0.get(name, 0)):>9} {kb(s4[name]):>9} {kb(ss.get(name, 0)):>10}")
    total_small = sum(v[0] for v in small[0].values())
    print(f"\nm0plus-small, all cores: {kb(total_small)} code")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", default=os.path.join(ROOT, "build-arm"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("command", choices=["matrix", "size", "test"])
    ap.add_argument("name", nargs="?")
    args = ap.parse_args(argv[1:])
    root = os.path.abspath(args.root)
    if args.command == "test":
        if CONFIGS.get(args.name, (0, 0, ""))[2] != "test":
            print("test trees: " + ", ".join(n for n, c in CONFIGS.items() if c[2] == "test"))
            return 2
        tree = configure_and_build(args.name, root, args.jobs, "unit_tests")
        if not tree:
            return 1
        return run(["ctest", "--test-dir", tree, "-L", "unit", "--output-on-failure", "-j", str(args.jobs),
                    "--timeout", "900"])
    names = [n for n, c in CONFIGS.items() if c[2] == "size" or (args.command == "matrix" and c[2] == "build")]
    trees, failed = {}, []
    for n in names:
        print(f"== {n}: {CONFIGS[n][0]}, {' '.join(CONFIGS[n][1]) or 'defaults'}", flush=True)
        tree = configure_and_build(n, root, args.jobs, "cores")
        if tree:
            trees[n] = tree
        else:
            failed.append(n)
    if all(n in trees for n in ("m0plus", "m4f", "m4f-compact", "m0plus-small")):
        print()
        print_sizes(trees)
    if failed:
        print("failed: " + " ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
