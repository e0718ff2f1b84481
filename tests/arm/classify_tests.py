#!/usr/bin/python3
"""Which unit tests can run on a bare Cortex-M, decided from their source.

    tests/arm/classify_tests.py tests/unit/test_a.c tests/unit/test_b.c ...

prints one line per test: "NAME|arm" or "NAME|host|REASON". A test stays on the host when it (or a
test header it includes, followed recursively) includes anything besides the C library newlib
provides, cmocka.h and the cores' public headers (a reference library, a port header, an OS
header), starts programs, uses cmocka's mocking, or says so with a line "c9-test: host-only".
New tests are sorted the same way without a list to edit.
"""
import os
import re
import sys

# What newlib gives a bare-metal program (file access goes to the host through semihosting).
BARE_METAL = {
    "assert.h", "ctype.h", "errno.h", "float.h", "inttypes.h", "limits.h", "math.h", "setjmp.h", "stdarg.h",
    "stdbool.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "string.h", "cmocka.h",
}
HOST_CALLS = re.compile(r"\b(system|popen|fork|exec[lv]p?e?|will_return|expect_value|expect_string|mock_type|mock)\s*\(")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUOTE_PATH = (os.path.join(ROOT, "core"), os.path.join(ROOT, "tests", "net"))
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def reason_for(path, seen):
    if path in seen:
        return None
    seen.add(path)
    text = open(path, encoding="utf-8", errors="replace").read()
    if "c9-test: host-only" in text:
        return "marked host-only"
    m = HOST_CALLS.search(re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S))
    if m:
        return f"calls {m.group(1)}()"
    for kind, name in INCLUDE.findall(text):
        if kind == "<":
            if name not in BARE_METAL:
                return f"includes <{name}>"
            continue
        if name.startswith("circuit9/"):
            continue
        # the file's folder, then the folders the unit tests' build puts on the include path
        found = [d for d in (os.path.dirname(path), *QUOTE_PATH) if os.path.exists(os.path.join(d, name))]
        if not found:
            return f'includes "{name}"'
        local = os.path.join(found[0], name)
        why = reason_for(local, seen)
        if why:
            return f"{name} {why}"
    return None


def main(argv):
    for path in argv[1:]:
        name = os.path.splitext(os.path.basename(path))[0]
        why = reason_for(path, set())
        print(f"{name}|arm" if why is None else f"{name}|host|{why}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
