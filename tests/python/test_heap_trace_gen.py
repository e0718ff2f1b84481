"""The heap trace generator (bench/heap_replay/heap_trace_gen.py) still writes the committed fixture
byte for byte, so the heap's fragmentation test and the benchmark's figures stay comparable, and
its output depends on nothing but its arguments."""
import hashlib
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GEN = os.path.join(ROOT, "bench", "heap_replay", "heap_trace_gen.py")
FIXTURE = os.path.join(ROOT, "tests", "fixtures", "heap", "trace_32k_seed1.txt")


def run(*args):
    return subprocess.run(["/usr/bin/python3", GEN, *map(str, args)], capture_output=True, check=True)


def test_generator_writes_the_fixture():
    r = run(32768, 1)
    with open(FIXTURE, "rb") as f:
        assert r.stdout == f.read()
    assert hashlib.sha256(r.stdout).hexdigest() == "330154ef8d5d03892c7f8537d2b58c46d787a98165b2c8815debde525e29e903"
    assert r.stderr.decode().strip() == "# heap=32768 modules=6 events=5426 long_lived_bytes=15648 kept_app=2"


def test_seed_changes_the_trace_and_events_are_well_formed():
    a = run(16384, 2).stdout.decode().splitlines()
    b = run(16384, 3).stdout.decode().splitlines()
    assert a != b
    live = set()
    for line in a:
        op, *rest = line.split()
        if op == "A":
            obj, size, ll = map(int, rest)
            assert obj not in live and size > 0 and ll in (0, 1, 2)
            live.add(obj)
        elif op in ("F", "D"):
            assert int(rest[0]) in live  # only objects that exist are freed or dropped
            live.discard(int(rest[0]))
        else:
            assert op in ("P", "C") and not rest
    assert a[-1] == "C"


def test_bad_arguments_print_the_usage():
    r = subprocess.run(["/usr/bin/python3", GEN], capture_output=True)
    assert r.returncode == 2 and b"HEAP_BYTES" in r.stderr
