"""Instructions per heap operation from a callgrind output file.

usage: callgrind_ops.py CALLGRIND_OUT ALLOCS FREES COLLECTIONS EXPLICIT_COLLECTIONS

Run heap_replay under `valgrind --tool=callgrind --compress-strings=no --compress-pos=no`.
Each function's inclusive cost is its own cost plus the cost recorded on its call lines.
Allocation cost excludes the collections the allocator triggered: those are the calls to
c9_gc_collect from anything other than the replay loop (replay_gc), whose own calls are the
trace's explicit "C" lines. Prints one line of key=value pairs.
"""
import sys
from collections import defaultdict


def parse(path):
    self_cost = defaultdict(int)
    calls = defaultdict(int)          # (caller, callee) -> inclusive cost of those calls
    ncalls = defaultdict(int)
    fn = None
    cfn = None
    pending_call = False
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("fn="):
                fn = line[3:].split(" ", 1)[-1] if line[3:].startswith("(") else line[3:]
                continue
            if line.startswith("cfn="):
                cfn = line[4:].split(" ", 1)[-1] if line[4:].startswith("(") else line[4:]
                continue
            if line.startswith("calls="):
                ncalls[(fn, cfn)] += int(line[6:].split()[0])
                pending_call = True
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            parts = line.split()
            if len(parts) < 2:
                continue
            cost = int(parts[1])
            if pending_call:
                if cfn != fn:
                    calls[(fn, cfn)] += cost
                pending_call = False
            else:
                self_cost[fn] += cost
    return self_cost, calls, ncalls


def inclusive(self_cost, calls, name):
    return self_cost.get(name, 0) + sum(c for (a, _), c in calls.items() if a == name)


def main():
    path = sys.argv[1]
    allocs, frees, colls, explicit = (int(x) for x in sys.argv[2:6])
    self_cost, calls, ncalls = parse(path)
    coll_total = inclusive(self_cost, calls, "c9_gc_collect")
    coll_explicit = sum(c for (a, b), c in calls.items() if b == "c9_gc_collect" and a.startswith("replay"))
    coll_internal = sum(c for (a, b), c in calls.items() if b == "c9_gc_collect" and not a.startswith("replay"))
    out = {}
    if allocs:
        gc_alloc = inclusive(self_cost, calls, "c9_gc_alloc")
        if gc_alloc:
            out["gc_alloc"] = (gc_alloc - coll_internal) / allocs
            out["gc_alloc_with_collections"] = gc_alloc / allocs
        oh_alloc = inclusive(self_cost, calls, "c9_outheap_alloc")
        if oh_alloc:
            out["out_alloc"] = oh_alloc / allocs
    if frees:
        gc_free = inclusive(self_cost, calls, "c9_gc_free")
        if gc_free:
            out["gc_free"] = gc_free / frees
        oh_free = inclusive(self_cost, calls, "c9_outheap_free")
        if oh_free:
            out["out_free"] = oh_free / frees
    if colls:
        out["collect"] = coll_total / colls
        out["collect_per_alloc"] = coll_total / max(allocs, 1)
    del coll_explicit
    print(" ".join(f"{k}={v:.1f}" for k, v in out.items()))


if __name__ == "__main__":
    main()
