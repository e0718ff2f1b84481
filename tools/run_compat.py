#!/usr/bin/python3
"""Runs one golden script through the circuit9 executable and compares its output.

    run_compat.py CIRCUIT9 tests/compat/NAME.py

NAME.py.exp holds the expected stdout; stderr is appended when the script fails, as
CircuitPython's own test runner does, so expected tracebacks can be golden too.
"""
import difflib
import os
import subprocess
import sys


def main():
    exe, script = sys.argv[1], sys.argv[2]
    exp_path = script + ".exp"
    proc = subprocess.run([exe, os.path.basename(script)], cwd=os.path.dirname(os.path.abspath(script)),
                          capture_output=True, text=True, timeout=120)
    out = proc.stdout
    if proc.returncode != 0:
        out += proc.stderr
    try:
        with open(exp_path) as f:
            expected = f.read()
    except FileNotFoundError:
        print(f"missing {exp_path}; output was:\n{out}")
        return 1
    if out != expected:
        sys.stdout.writelines(difflib.unified_diff(expected.splitlines(True), out.splitlines(True),
                                                   "expected", "actual"))
        if proc.returncode != 0:
            print(proc.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
