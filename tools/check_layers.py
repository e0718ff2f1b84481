#!/usr/bin/env python3
"""Keeps the runtime on the port contract (docs/port.md).

No C file of the runtime (bindings/, runtime/, supervisor/) may
  - include a header of a port (ports/*/include/...), or any header by a relative path ("../");
  - call the virtual board's own API (c9_vpin_*, c9_vspi_*, c9_vi2c_*, c9_vparallel_*, c9_vboard_*,
    c9_vpanel_*, c9_vsink_*, c9_host_*, c9_window_*, c9_png_*): the runtime reaches the machine
    through include/circuit9/port.h only;
  - read an OS clock for monotonic time (CLOCK_MONOTONIC): the machine has one clock,
    c9_port_now_ns().
A port's own Python modules (ports/<port>/bindings/) are the port's, and may use its API.

    tools/check_layers.py [ROOT]       exit status 1 and one line per violation
    tools/check_layers.py --self-test  checks that planted violations are found
"""
import os
import re
import sys
import tempfile

RUNTIME_DIRS = ("bindings", "runtime", "supervisor")
PORT_API = re.compile(r"\bc9_(?:vpin|vspi|vi2c|vparallel|vboard|vpanel|vsink|host|window|png)(?:_\w*)?\b")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
MONOTONIC = re.compile(r"\bCLOCK_MONOTONIC\w*\b")


def strip_comments(text, keep_strings=True):
    """Comments may name what they must not call; code may not. Strings are kept for the
    #include lines, blanked for the rest."""
    out, i, n = [], 0, len(text)
    while i < n:
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text[i] in "\"'":
            q, j = text[i], i + 1
            while j < n and text[j] != q and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1] if keep_strings else q + " " * (j - i - 1) + q)
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def port_headers(root):
    names = set()
    ports = os.path.join(root, "ports")
    for port in sorted(os.listdir(ports)) if os.path.isdir(ports) else []:
        inc = os.path.join(ports, port, "include")
        for dirpath, _, files in os.walk(inc):
            for f in files:
                if f.endswith(".h"):
                    names.add(os.path.relpath(os.path.join(dirpath, f), inc))
                    names.add(f)
    return names


def check(root):
    forbidden = port_headers(root)
    problems = []
    for top in RUNTIME_DIRS:
        for dirpath, _, files in sorted(os.walk(os.path.join(root, top))):
            for f in sorted(files):
                if not f.endswith((".c", ".h")):
                    continue
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                raw = open(path, encoding="utf-8", errors="replace").read()
                code = strip_comments(raw)
                bare = strip_comments(raw, keep_strings=False)
                for m in INCLUDE.finditer(code):
                    name = m.group(1)
                    line = code.count("\n", 0, m.start()) + 1
                    if name.startswith("../") or "/../" in name:
                        problems.append(f"{rel}:{line}: relative include \"{name}\"")
                    elif name in forbidden or os.path.basename(name) in forbidden:
                        problems.append(f"{rel}:{line}: includes the port header {name}")
                for m in PORT_API.finditer(bare):
                    line = bare.count("\n", 0, m.start()) + 1
                    problems.append(f"{rel}:{line}: calls the virtual board's {m.group(0)} (use port.h)")
                for m in MONOTONIC.finditer(bare):
                    line = bare.count("\n", 0, m.start()) + 1
                    problems.append(f"{rel}:{line}: reads {m.group(0)} (the one clock is c9_port_now_ns)")
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "ports/host/include/circuit9"))
        open(os.path.join(root, "ports/host/include/circuit9/host_display.h"), "w").write("")
        os.makedirs(os.path.join(root, "bindings/busio"))
        os.makedirs(os.path.join(root, "supervisor"))
        open(os.path.join(root, "bindings/busio/ok.c"), "w").write(
            '#include "circuit9/port.h"\n/* c9_vpin_read() is what we must not call */\n'
            'static const char *s = "c9_vpin";\nint f(void) { return c9_port_pin_read(1) + c9_vectorshape_x(); }\n')
        open(os.path.join(root, "bindings/busio/bad.c"), "w").write(
            '#include "circuit9/host_display.h"\n#include "../displayio/x.h"\n'
            "int g(void) { return c9_vpin_read(1); }\nvoid h(void) { c9_window_poll(); }\n")
        open(os.path.join(root, "supervisor/clock.c"), "w").write(
            "#include <time.h>\nvoid t(struct timespec *ts) { clock_gettime(CLOCK_MONOTONIC, ts); }\n")
        found = check(root)
        want = [
            "bindings/busio/bad.c:1: includes the port header circuit9/host_display.h",
            'bindings/busio/bad.c:2: relative include "../displayio/x.h"',
            "bindings/busio/bad.c:3: calls the virtual board's c9_vpin_read (use port.h)",
            "bindings/busio/bad.c:4: calls the virtual board's c9_window_poll (use port.h)",
            "supervisor/clock.c:2: reads CLOCK_MONOTONIC (the one clock is c9_port_now_ns)",
        ]
        if found != want:
            print("self-test failed:\n  found " + "\n        ".join(found) + "\n  wanted " + "\n         ".join(want))
            return 1
    print("self-test passed")
    return 0


def main(argv):
    if argv[1:2] == ["--self-test"]:
        return self_test()
    root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} layering violation(s): the runtime must reach the machine through port.h")
        return 1
    print("layers: the runtime uses the port contract only")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
