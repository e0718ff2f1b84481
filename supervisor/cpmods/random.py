# CircuitPython's random (shared-bindings/random): seed, getrandbits, randrange, randint, choice,
# random, uniform, from a generator of its own (a fresh one each run, as after a reset).
import random as _random

__all__ = ["seed", "getrandbits", "randrange", "randint", "choice", "random", "uniform"]

_gen = _random.Random()
seed = _gen.seed
getrandbits = _gen.getrandbits
randrange = _gen.randrange
randint = _gen.randint
choice = _gen.choice
random = _gen.random
uniform = _gen.uniform
