#!/usr/bin/python3
"""Writes a synthetic allocation trace of a MicroPython-style GC heap: a program importing modules
(lexer and parser temporaries, interned strings, bytecode, module dictionaries, classes), then
running (short-lived objects with some larger temporaries). heap_replay replays it.

    bench/heap_replay/heap_trace_gen.py HEAP_BYTES [SEED] > trace.txt

The output depends only on the arguments (Python's random.Random(SEED), default 1). One event
per line:

    A id size ll   allocate `size` bytes as object `id`; ll 0: short-lived, 1: long-lived from
                   birth (interned-string pools, types), 2: made long-lived when its module's
                   import ends (CircuitPython 8's make_dict_long_lived)
    F id           explicit free (gc_free, m_del)
    D id           the object becomes unreachable; the next collection reclaims it
    P              a module's import ended (CircuitPython 8 promotes its ll=2 objects here)
    C              an explicit gc.collect()

Imports continue until the long-lived bytes reach 45% of the heap; then the program runs for
HEAP_BYTES/16 allocations. A summary line goes to stderr.
"""
import random
import sys


class Trace:
    def __init__(self, seed):
        self.rnd = random.Random(seed)
        self.events = []
        self.last_id = 0
        self.long_lived = {}  # id -> bytes in 16-byte blocks, for objects with ll 1 or 2
        self.temporaries = []  # [id, allocations left to live] of the running program's objects

    def alloc(self, size, ll=0):
        self.last_id += 1
        self.events.append(f"A {self.last_id} {size} {ll}")
        if ll:
            self.long_lived[self.last_id] = (size + 15) // 16 * 16
        return self.last_id

    def free(self, obj):
        self.events.append(f"F {obj}")
        self.long_lived.pop(obj, None)

    def drop(self, obj):
        self.events.append(f"D {obj}")

    def churn(self, count, big=False):
        """The running program: mostly small objects, some medium, and with `big` a few large
        ones; each lives for 1..40 further allocations."""
        for _ in range(count):
            r = self.rnd.random()
            if r < 0.8:
                size = self.rnd.choice([16, 16, 16, 32, 32, 48, 64])
            elif r < 0.97 or not big:
                size = self.rnd.choice([96, 128, 200, 256])
            else:
                size = self.rnd.choice([512, 1024, 1536])
            self.temporaries.append([self.alloc(size), self.rnd.randint(1, 40)])
            for t in self.temporaries:
                t[1] -= 1
            for t in [t for t in self.temporaries if t[1] <= 0]:
                self.drop(t[0])
                self.temporaries.remove(t)


def generate(heap, seed):
    tr = Trace(seed)
    rnd = tr.rnd
    qstr_pool_cap, qstr_used, qstr_chunk_left = 10, 0, 0
    kept = []  # objects the program keeps (a list, a buffer, a bitmap row)
    modules = 0
    while sum(tr.long_lived.values()) + 16 * len(kept) * 16 < 0.45 * heap:
        modules += 1
        functions = rnd.randint(3, 12)
        # Lexer and parser: temporaries freed explicitly.
        lexer = tr.alloc(256)
        vstr = tr.alloc(32)
        chunks = [tr.alloc(rnd.choice([128, 128, 256])) for _ in range(functions * 3)]
        rule_stack = tr.alloc(64)
        result_stack = tr.alloc(128)
        # Names interned while parsing: string data chunks and a growing pool, both long-lived.
        for _ in range(functions * 2):
            qstr_used += 1
            if qstr_used > qstr_pool_cap:
                qstr_pool_cap *= 2
                tr.alloc(16 + 8 * qstr_pool_cap, 1)
                qstr_used = 1
            if qstr_chunk_left <= 0:
                tr.alloc(128, 1)
                qstr_chunk_left = 128
            qstr_chunk_left -= rnd.randint(6, 16)
        tr.free(rule_stack)
        tr.free(vstr)
        # Compiler: scopes and id tables (freed at the end), bytecode and constants (kept).
        scopes = []
        for _ in range(functions):
            scopes.append(tr.alloc(64))
            scopes.append(tr.alloc(16 * rnd.randint(2, 8)))
            bytecode = tr.alloc(rnd.randint(40, 400), 2)
            constants = tr.alloc(8 * rnd.randint(1, 6), 2)
            tr.churn(rnd.randint(0, 3))
            scopes.append(bytecode)
            scopes.append(constants)
        for c in chunks:
            tr.free(c)
        tr.free(result_stack)
        tr.free(lexer)
        for s in scopes[0::4] + scopes[1::4]:
            tr.free(s)
        # Module body: its dictionary grows as functions are defined, a class or two.
        table, capacity, entries = tr.alloc(4 * 8, 2), 4, 0
        for _ in range(functions):
            tr.alloc(rnd.choice([32, 48]), 2)
            entries += 1
            if entries > capacity * 3 // 4:
                capacity *= 2
                bigger = tr.alloc(capacity * 8, 2)
                tr.free(table)
                table = bigger
            tr.churn(rnd.randint(0, 4))
        for _ in range(rnd.randint(0, 2)):
            tr.alloc(rnd.choice([96, 112]), 1)
            tr.alloc(64, 2)
        tr.alloc(32, 2)  # the module object
        tr.events.append("P")
        tr.churn(rnd.randint(20, 60), big=True)
        if rnd.random() < 0.3:
            kept.append(tr.alloc(rnd.choice([64, 128, 256, 512])))
    # Running: churn with larger temporaries between two collections.
    tr.events.append("C")
    tr.churn(int(heap / 16), big=True)
    for t in tr.temporaries:
        tr.drop(t[0])
    tr.events.append("C")
    summary = (f"# heap={heap} modules={modules} events={len(tr.events)} "
               f"long_lived_bytes={sum(tr.long_lived.values())} kept_app={len(kept)}")
    return tr.events, summary


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    events, summary = generate(int(argv[1]), int(argv[2]) if len(argv) > 2 else 1)
    print(summary, file=sys.stderr)
    print("\n".join(events))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
