# ulab as CircuitPython 9.2.9 builds it (micropython-ulab 6.5.3: two dimensions, no complex
# dtype), on Debian's numpy. numpy does the arithmetic; this file keeps what a ulab program
# observes: its dtypes (uint8, int8, uint16, int16, float, bool) and their integer codes, its
# upcasting rules (a scalar takes the smallest dtype that holds it; uint16 with int16 is float),
# np.array() defaulting to float, its printing (array([1, 2, 3], dtype=uint8), edge items past
# the print threshold), fft/spectrogram returning real arrays, and its error messages.
#
# circuit9's floats are C doubles, so ulab's float is float64, as in ulab's own unix build; a
# board build has float32 (docs/modules.md).
import builtins as _bi
import math as _math
import types as _types

import numpy as _np

__all__ = ["__version__", "numpy", "scipy", "utils"]

__version__ = "6.5.3-2D"

_BOOL, _B, _b, _H, _h, _F = 63, 66, 98, 72, 104, 100  # '?', 'B', 'b', 'H', 'h', 'd'
_NP = {_BOOL: _np.bool_, _B: _np.uint8, _b: _np.int8, _H: _np.uint16, _h: _np.int16, _F: _np.float64}
_NAME = {_BOOL: "bool", _B: "uint8", _b: "int8", _H: "uint16", _h: "int16", _F: "float64"}
_UPCAST = {frozenset((_B, _b)): _h, frozenset((_B, _h)): _h, frozenset((_B, _H)): _H, frozenset((_b, _h)): _h,
           frozenset((_b, _H)): _H, frozenset((_H, _h)): _F}
_print = {"threshold": 10, "edgeitems": 3}


def _code_of_dtype(dt):
    dt = _np.dtype(dt)
    if dt == _np.bool_:
        return _BOOL
    for code, t in _NP.items():
        if dt == t:
            return code
    if dt.kind == "f":
        return _F
    raise TypeError("data type not understood")


def _dtype_arg(dtype):
    if isinstance(dtype, bool) or dtype not in _NP:
        raise TypeError("data type not understood")
    return dtype


def _scalar_code(x, other=0):
    """ndarray_from_mp_obj(): the dtype a scalar operand takes next to an array of dtype other."""
    if isinstance(x, bool):
        return _B
    if isinstance(x, int):
        if not -32767 <= x <= 32767:
            return _F
        if x < 0:
            return _b if x > -128 else _h
        if other in (_b, _h):
            return _b if x < 128 else _h
        return _B if x < 256 else _H
    if isinstance(x, float):
        return _F
    raise TypeError("unsupported operand type(s)")


def _wrap(a):
    """A numpy array as a ulab ndarray (numpy's int64/float32 results become ulab's dtypes)."""
    if a.dtype not in (_np.bool_, _np.uint8, _np.int8, _np.uint16, _np.int16, _np.float64):
        a = a.astype(_np.float64 if a.dtype.kind in "fc" else _np.int16)
    if a.ndim > 2:
        raise ValueError("too many dimensions")
    return a.view(ndarray)


def _scalar(v):
    if isinstance(v, _np.bool_):
        return bool(v)
    if isinstance(v, _np.integer):
        return int(v)
    if isinstance(v, _np.floating):
        return float(v)
    return v


def _from_iterable(obj, code):
    if isinstance(obj, ndarray):
        return obj._a.astype(_NP[code])
    if not isinstance(obj, (list, tuple, range)):
        raise TypeError("input must be tuple, list, range, or ndarray")
    rows = [list(r._a) if isinstance(r, ndarray) else r for r in obj]
    with _np.errstate(all="ignore"):
        if code == _BOOL:
            return _np.array([bool(x) for x in rows] if rows and _np.ndim(rows[0]) == 0 else
                             [[bool(x) for x in r] for r in rows], dtype=_np.bool_)
        tmp = _np.array(rows, dtype=_np.float64 if code == _F else object)
        if code != _F:
            tmp = _np.array([[int(x) for x in r] for r in tmp] if tmp.ndim == 2 else [int(x) for x in tmp],
                            dtype=_np.int64)
        return tmp.astype(_NP[code])


def _fmt(v):
    if isinstance(v, (bool, _np.bool_)):
        return "True" if v else "False"
    if isinstance(v, (float, _np.floating)):
        s = "%.16g" % v
        if "." not in s and "e" not in s and "n" not in s:
            s += ".0"
        return s
    return str(int(v))


def _fmt_row(row):
    n = len(row)
    t, e = _print["threshold"], _print["edgeitems"]
    if n <= t or n <= 2 * e:
        return "[" + ", ".join(_fmt(x) for x in row) + "]"
    return "[" + ", ".join(_fmt(x) for x in row[:e]) + ", ..., " + ", ".join(_fmt(x) for x in row[n - e:]) + "]"


class ndarray(_np.ndarray):
    """ulab.numpy.ndarray: a numpy array (so it is a buffer, as ulab's is, for memoryview() and the
    native modules) with ulab's dtype codes, operators, indexing and printing."""

    __array_ufunc__ = None  # numpy never combines these itself: ulab's operators below do

    def __new__(cls, values, *, dtype=_F):
        return _from_iterable(values, _dtype_arg(dtype)).view(cls)

    @property
    def _a(self):
        return self.view(_np.ndarray)

    # -- properties
    @property
    def dtype(self):
        code = self._code()
        return _B if code == _BOOL else code

    def _code(self):
        return _code_of_dtype(self._a.dtype)

    @property
    def T(self):
        return _wrap(self._a.T)

    # -- methods
    def copy(self):
        return _wrap(self._a.copy())

    def flatten(self, order="C"):
        if order not in ("C", "F"):
            raise ValueError("flattening order must be either 'C', or 'F'")
        return _wrap(self._a.flatten(order))

    def reshape(self, shape):
        if isinstance(shape, int):
            shape = (shape,)
        if not isinstance(shape, tuple):
            raise TypeError("shape must be integer or tuple of integers")
        try:
            return _wrap(self._a.reshape(shape))
        except ValueError:
            raise ValueError("cannot reshape array") from None

    def transpose(self):
        return _wrap(self._a.T)

    def tobytes(self):
        if not self._a.flags.c_contiguous:
            raise ValueError("tobytes can be invoked for dense arrays only")
        return bytearray(self._a.tobytes())

    def tolist(self):
        return self._a.tolist()

    def byteswap(self, *, inplace=False):
        if inplace:
            self._a.byteswap(inplace=True)
            return self
        return _wrap(self._a.byteswap())

    def sort(self, *, axis=-1):
        self._a.sort(axis=axis)



    # -- printing
    def __repr__(self):
        a = self._a
        name = _NAME[self._code()]
        if a.size == 0:
            if a.ndim > 1:
                return "array([], shape=(%d,%d), dtype=%s)" % (a.shape[0], a.shape[1], name)
            return "array([], dtype=%s)" % name
        if a.ndim == 1:
            body = _fmt_row(a)
        else:
            body = "[" + ",\n       ".join(_fmt_row(r) for r in a) + "]"
        return "array(%s, dtype=%s)" % (body, name)

    __str__ = __repr__

    # -- container protocol
    def __len__(self):
        return int(self._a.shape[0]) if self._a.ndim else 0

    def __iter__(self):
        for x in self._a:
            yield _wrap(x) if isinstance(x, _np.ndarray) else _scalar(x)

    def _key(self, key):
        if isinstance(key, ndarray):
            return key._a
        if isinstance(key, tuple):
            return tuple(k._a if isinstance(k, ndarray) else k for k in key)
        return key

    def __getitem__(self, key):
        try:
            v = self._a[self._key(key)]
        except IndexError:
            raise IndexError("index out of range") from None
        return _wrap(v) if isinstance(v, _np.ndarray) else _scalar(v)

    def __setitem__(self, key, value):
        if isinstance(value, ndarray):
            value = value._a
        elif isinstance(value, (list, tuple, range)):
            value = _np.array(value)
        try:
            with _np.errstate(all="ignore"):
                self._a[self._key(key)] = value
        except IndexError:
            raise IndexError("index out of range") from None

    # -- arithmetic with ulab's upcasting
    def __bool__(self):
        if self._a.size != 1:
            raise ValueError("operation is not implemented on ndarrays")
        return bool(self._a.flat[0])

    def __abs__(self):
        return _wrap(_np.abs(self._a))

    def __neg__(self):
        with _np.errstate(all="ignore"):
            return _wrap(-self._a)

    def __pos__(self):
        return self.copy()

    def __invert__(self):
        if self._code() == _F:
            raise TypeError("operation is not supported for given type")
        return _wrap(~self._a)


def _operand(x, other=0):
    if isinstance(x, ndarray):
        code = x._code()
        return x._a, _B if code == _BOOL else code
    return x, _scalar_code(x, other)


def _common(lhs, rhs, kind="arith"):
    """Both operands in the dtype ulab's upcasting gives them, and that dtype's numpy type."""
    a, ca = _operand(lhs, rhs.dtype if isinstance(rhs, ndarray) else 0)
    b, cb = _operand(rhs, ca)
    if ca == cb:
        code = ca
    elif _F in (ca, cb):
        code = _F
    else:
        code = _UPCAST[frozenset((ca, cb))]
    if kind == "div":
        code = _F
    elif kind in ("bits", "opbits"):
        if _F in (ca, cb):
            raise TypeError("operation is not supported for given type")
        if kind == "opbits" and {ca, cb} == {_H, _h}:
            raise TypeError("dtype of int32 is not supported")
        if kind == "opbits" and {ca, cb} == {_b, _H}:
            code = _h  # the & | ^ operators differ here from np.bitwise_and() and friends
        elif code == _F:
            code = _h  # uint16 with int16: float for arithmetic, int16 for np.bitwise_*()

    t = _NP[code]
    with _np.errstate(all="ignore"):
        a = a.astype(t) if isinstance(a, _np.ndarray) else t(a)
        b = b.astype(t) if isinstance(b, _np.ndarray) else t(b)
    return a, b, t


def _binary(op, lhs, rhs, kind="arith"):
    try:
        a, b, t = _common(lhs, rhs, kind)
    except TypeError:
        if kind in ("bits", "opbits"):
            raise
        return NotImplemented
    try:
        with _np.errstate(all="ignore"):
            r = op(a, b)
    except ValueError:
        raise ValueError("operands could not be broadcast together") from None
    if not isinstance(r, _np.ndarray):
        r = _np.array([r])
    return _wrap(r if kind == "cmp" else r.astype(t, copy=False))


def _def_binary(name, op, kind="arith"):
    setattr(ndarray, "__%s__" % name, lambda self, other: _binary(op, self, other, kind))
    if kind != "cmp":
        setattr(ndarray, "__r%s__" % name, lambda self, other: _binary(op, other, self, kind))

        def inplace(self, other):
            r = _binary(op, self, other, kind)
            if r is NotImplemented:
                return r
            if r._code() == _F and self._code() != _F:
                raise TypeError("cannot cast output with casting rule")
            self._a[...] = r._a
            return self

        setattr(ndarray, "__i%s__" % name, inplace)


for _n, _op, _k in (("add", _np.add, "arith"), ("sub", _np.subtract, "arith"), ("mul", _np.multiply, "arith"),
                    ("truediv", _np.true_divide, "div"), ("floordiv", _np.floor_divide, "arith"),
                    ("pow", _np.power, "arith"), ("and", _np.bitwise_and, "opbits"), ("or", _np.bitwise_or, "opbits"),
                    ("xor", _np.bitwise_xor, "opbits"), ("lshift", _np.left_shift, "bits"),
                    ("rshift", _np.right_shift, "bits"), ("lt", _np.less, "cmp"), ("le", _np.less_equal, "cmp"),
                    ("gt", _np.greater, "cmp"), ("ge", _np.greater_equal, "cmp"), ("eq", _np.equal, "cmp"),
                    ("ne", _np.not_equal, "cmp")):
    _def_binary(_n, _op, _k)
ndarray.__hash__ = None


def _arr(x, code=_F):
    """numpy data of an ndarray, or of a list/tuple/range/scalar as ulab takes it."""
    if isinstance(x, ndarray):
        return x._a
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return _np.array([x], dtype=_np.float64)
    return _from_iterable(x, code)


def _result(v):
    return _wrap(v) if isinstance(v, _np.ndarray) else _scalar(v)


# ---- ulab.numpy functions ----------------------------------------------------------------------


def array(values, *, dtype=_F):
    return ndarray(values, dtype=dtype)


def asarray(values, *, dtype=None):
    if isinstance(values, ndarray) and (dtype is None or dtype == values.dtype):
        return values
    return ndarray(values, dtype=_F if dtype is None else dtype)


def _shape(shape):
    if isinstance(shape, int):
        return (shape,)
    if isinstance(shape, tuple) and _bi.all(isinstance(n, int) for n in shape):
        if len(shape) > 2:
            raise ValueError("maximum number of dimensions is 2")
        return shape
    raise TypeError("input argument must be an integer, a tuple, or a list")


def zeros(shape, *, dtype=_F):
    return _wrap(_np.zeros(_shape(shape), dtype=_NP[_dtype_arg(dtype)]))


def ones(shape, *, dtype=_F):
    return _wrap(_np.ones(_shape(shape), dtype=_NP[_dtype_arg(dtype)]))


def empty(shape, *, dtype=_F):
    return zeros(shape, dtype=dtype)


def full(shape, fill_value, *, dtype=_F):
    with _np.errstate(all="ignore"):
        return _wrap(_np.full(_shape(shape), fill_value).astype(_NP[_dtype_arg(dtype)]))


def eye(N, *, M=None, k=0, dtype=_F):
    return _wrap(_np.eye(N, M, k, dtype=_NP[_dtype_arg(dtype)]))


def diag(a, *, k=0):
    return _wrap(_np.diag(_arr(a), k))


def arange(*args, dtype=None):
    if not 1 <= len(args) <= 3:
        raise TypeError("wrong number of arguments")
    start, stop, step = (0, args[0], 1) if len(args) == 1 else (args + (1,))[:3]
    if step == 0:
        raise ZeroDivisionError("divide by zero")
    if _bi.any(isinstance(v, float) and _math.isnan(v) for v in (start, stop, step)):
        raise ValueError("arange: cannot compute length")
    if dtype is None:
        ints = _bi.all(isinstance(v, int) for v in args) and _bi.max(abs(start), abs(stop), abs(step)) <= 32768
        dtype = _h if ints else _F
    with _np.errstate(all="ignore"):
        return _wrap(_np.arange(start, stop, step, dtype=_np.float64).astype(_NP[_dtype_arg(dtype)]))


def linspace(start, stop, *, num=50, endpoint=True, retstep=False, dtype=_F):
    if num < 2:
        raise ValueError("number of points must be at least 2")
    values, step = _np.linspace(start, stop, num, endpoint=endpoint, retstep=True)
    with _np.errstate(all="ignore"):
        out = _wrap(values.astype(_NP[_dtype_arg(dtype)]))
    return (out, float(step)) if retstep else out


def logspace(start, stop, *, num=50, endpoint=True, base=10.0, dtype=_F):
    if num < 2:
        raise ValueError("number of points must be at least 2")
    with _np.errstate(all="ignore"):
        return _wrap(_np.logspace(start, stop, num, endpoint=endpoint, base=base).astype(_NP[_dtype_arg(dtype)]))


def frombuffer(buffer, *, dtype=_F, count=-1, offset=0):
    t = _np.dtype(_NP[_dtype_arg(dtype)])
    data = memoryview(buffer).cast("B")
    if offset < 0 or offset > len(data):
        raise ValueError("offset must be non-negative and no greater than buffer length")
    if (len(data) - offset) % t.itemsize:
        raise ValueError("buffer size must be a multiple of element size")
    if count > (len(data) - offset) // t.itemsize:
        raise ValueError("buffer is smaller than requested size")
    return _wrap(_np.frombuffer(data, dtype=t, count=count, offset=offset))


def concatenate(arrays, *, axis=0):
    if not isinstance(arrays, tuple):
        raise TypeError("first argument must be a tuple of ndarrays")
    if not _bi.all(isinstance(a, ndarray) for a in arrays):
        raise ValueError("only ndarrays can be concatenated")
    try:
        return _wrap(_np.concatenate([a._a for a in arrays], axis=axis))
    except ValueError:
        raise ValueError("input arrays are not compatible") from None


def _iterable_pick(a, pick):
    """min/max/argmin/argmax of a list, tuple or range: ulab compares the items as floats."""
    items = list(a)
    if not items:
        raise ValueError("attempt to get argmin/argmax of an empty sequence")
    best = 0
    for i, v in enumerate(items):
        if pick(float(v), float(items[best])):
            best = i
    return best, items[best]


def _reduce(fn, a, axis, keep_dtype=True):
    x = _arr(a)
    if x.size == 0:
        raise ValueError("attempt to get (arg)min/(arg)max of empty sequence")
    r = fn(x) if axis is None else fn(x, axis=axis)
    if isinstance(r, _np.ndarray) and keep_dtype:
        r = r.astype(x.dtype)
    return _result(r)


def max(a, *, axis=None):  # noqa: A001 (ulab's names)
    if not isinstance(a, ndarray):
        return _iterable_pick(a, lambda v, best: v > best)[1]
    return _reduce(_np.max, a, axis)


def min(a, *, axis=None):  # noqa: A001
    if not isinstance(a, ndarray):
        return _iterable_pick(a, lambda v, best: v < best)[1]
    return _reduce(_np.min, a, axis)


def argmax(a, *, axis=None):
    if not isinstance(a, ndarray):
        return _iterable_pick(a, lambda v, best: v > best)[0]
    r = _reduce(_np.argmax, a, axis, keep_dtype=False)
    return _wrap(r._a.astype(_np.int16)) if isinstance(r, ndarray) else r


def argmin(a, *, axis=None):
    if not isinstance(a, ndarray):
        return _iterable_pick(a, lambda v, best: v < best)[0]
    r = _reduce(_np.argmin, a, axis, keep_dtype=False)
    return _wrap(r._a.astype(_np.int16)) if isinstance(r, ndarray) else r


def _float_stats(a):
    return _np.array([float(v) for v in a], dtype=_np.float64)


def sum(a, *, axis=None):  # noqa: A001
    if not isinstance(a, ndarray):
        return float(_np.sum(_float_stats(a)))
    x = a._a
    if axis is None:
        total = _np.sum(x.astype(_np.float64))
        return float(total) if x.dtype == _np.float64 else int(round(total))
    with _np.errstate(all="ignore"):
        return _result(_np.sum(x, axis=axis).astype(x.dtype))  # along an axis the dtype stays (and wraps)


def mean(a, *, axis=None):
    x = a._a if isinstance(a, ndarray) else _float_stats(a)
    if x.size == 0:
        return 0.0
    return _result(_np.mean(x.astype(_np.float64), axis=axis))


def std(a, *, axis=None, ddof=0):
    x = a._a if isinstance(a, ndarray) else _float_stats(a)
    if x.size <= ddof and axis is None:
        return 0.0
    return _result(_np.std(x.astype(_np.float64), axis=axis, ddof=ddof))


def median(a, *, axis=None):
    if not isinstance(a, ndarray):
        raise TypeError("median argument must be an ndarray")
    return _result(_np.median(a._a.astype(_np.float64), axis=axis))


def sort(a, *, axis=-1):
    if not isinstance(a, ndarray):
        raise TypeError("sort argument must be an ndarray")
    return _wrap(_np.sort(a._a, axis=axis))


def argsort(a, *, axis=-1):
    if not isinstance(a, ndarray):
        raise TypeError("function is defined for ndarrays only")
    return _wrap(_np.argsort(a._a, axis=axis, kind="stable").astype(_np.uint16))


def all(a, *, axis=None):  # noqa: A001
    return _result(_np.all(_arr(a), axis=axis))


def any(a, *, axis=None):  # noqa: A001
    return _result(_np.any(_arr(a), axis=axis))


def diff(a, *, n=1, axis=-1):
    if not isinstance(a, ndarray):
        raise TypeError("diff argument must be an ndarray")
    if not 0 <= n < 10:
        raise ValueError("differentiation order out of range")
    with _np.errstate(all="ignore"):
        return _wrap(_np.diff(a._a, n=n, axis=axis).astype(a._a.dtype))


def flip(a, *, axis=None):
    if not isinstance(a, ndarray):
        raise TypeError("flip argument must be an ndarray")
    return _wrap(_np.flip(a._a, axis=axis))


def roll(a, shift, *, axis=None):
    if not isinstance(a, ndarray):
        raise TypeError("roll argument must be an ndarray")
    return _wrap(_np.roll(a._a, shift, axis=axis))


def dot(a, b):
    r = _np.dot(_arr(a).astype(_np.float64), _arr(b).astype(_np.float64))
    return _result(r)


def trace(a):
    return _result(_np.trace(_arr(a)))


def cross(a, b):
    if _arr(a).shape != (3,) or _arr(b).shape != (3,):
        raise ValueError("cross is defined for 1D arrays of length 3")
    return _wrap(_np.cross(_arr(a).astype(_np.float64), _arr(b).astype(_np.float64)))


def convolve(a, v):
    return _wrap(_np.convolve(_arr(a).astype(_np.float64), _arr(v).astype(_np.float64)))


def interp(x, xp, fp, *, left=None, right=None):
    return _wrap(_np.interp(_arr(x), _arr(xp), _arr(fp), left=left, right=right))


def trapz(y, x=None, dx=1.0):
    return float(_np.trapz(_arr(y), None if x is None else _arr(x), dx))


def polyfit(*args):
    if len(args) == 2:
        y, deg = args
        x = _np.arange(len(_arr(y)), dtype=_np.float64)
    else:
        x, y, deg = args
        x = _arr(x)
    return _wrap(_np.polyfit(x, _arr(y), deg))


def polyval(p, x):
    r = _np.polyval(_arr(p), _arr(x) if not isinstance(x, (int, float)) else x)
    return _result(r)


def clip(a, a_min, a_max):
    return _binary(_np.minimum, _binary(_np.maximum, a if isinstance(a, ndarray) else ndarray(a), a_min), a_max)


def _extremum(fn, a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return fn(a, b)  # two scalars: a scalar, as ulab returns
    return _binary(getattr(_np, fn.__name__ + "imum"), a if isinstance(a, (ndarray, int, float)) else ndarray(a),
                   b if isinstance(b, (ndarray, int, float)) else ndarray(b))


def maximum(a, b):
    return _extremum(_bi.max, a, b)


def minimum(a, b):
    return _extremum(_bi.min, a, b)


def equal(a, b):
    return _binary(_np.equal, a, b, "cmp")


def not_equal(a, b):
    return _binary(_np.not_equal, a, b, "cmp")


def isfinite(a):
    return _result(_np.isfinite(_arr(a)) if not isinstance(a, (int, float)) else _math.isfinite(a))


def isinf(a):
    return _result(_np.isinf(_arr(a)) if not isinstance(a, (int, float)) else _math.isinf(a))


def nonzero(a):
    return tuple(_wrap(i.astype(_np.uint16)) for i in _np.nonzero(_arr(a)))


def where(condition, x, y):
    c = _arr(condition).astype(_np.bool_)
    a, b, t = _common(x, y)
    try:
        return _wrap(_np.where(c, a, b).astype(t))
    except ValueError:
        raise ValueError("operands could not be broadcast together") from None


def bitwise_and(a, b):
    return _binary(_np.bitwise_and, a, b, "bits")


def bitwise_or(a, b):
    return _binary(_np.bitwise_or, a, b, "bits")


def bitwise_xor(a, b):
    return _binary(_np.bitwise_xor, a, b, "bits")


def left_shift(a, b):
    return _binary(_np.left_shift, a, b, "bits")


def right_shift(a, b):
    return _binary(_np.right_shift, a, b, "bits")


def around(a, *, decimals=0):
    if not isinstance(a, ndarray):
        raise TypeError("function is defined for ndarrays only")
    return _wrap(_np.around(a._a.astype(_np.float64), decimals))


def size(a, *, axis=None):
    if not isinstance(a, ndarray):
        raise TypeError("wrong input type")
    return int(a._a.size if axis is None else a._a.shape[axis])


def _vectorised(fn):
    def f(x):
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            with _np.errstate(all="ignore"):
                return float(fn(_np.float64(x)))
        with _np.errstate(all="ignore"):
            return _wrap(fn(_arr(x).astype(_np.float64)))

    return f


_MATH = {"acos": _np.arccos, "acosh": _np.arccosh, "asin": _np.arcsin, "asinh": _np.arcsinh, "atan": _np.arctan,
         "atanh": _np.arctanh, "ceil": _np.ceil, "cos": _np.cos, "cosh": _np.cosh, "degrees": _np.degrees,
         "exp": _np.exp, "expm1": _np.expm1, "floor": _np.floor, "log": _np.log, "log10": _np.log10,
         "log2": _np.log2, "radians": _np.radians, "sin": _np.sin, "sinc": _np.sinc, "sinh": _np.sinh,
         "sqrt": _np.sqrt, "tan": _np.tan, "tanh": _np.tanh}


def arctan2(y, x):
    with _np.errstate(all="ignore"):
        return _result(_np.arctan2(_arr(y) if not isinstance(y, (int, float)) else y,
                                   _arr(x) if not isinstance(x, (int, float)) else x))


def vectorize(f, *, otypes=None):
    if not callable(f):
        raise TypeError("first argument must be a callable")
    code = _F if otypes is None else _dtype_arg(otypes)

    def g(x):
        src = _arr(x) if not isinstance(x, (int, float)) else _np.array([x], dtype=_np.float64)
        out = _np.array([f(_scalar(v)) for v in src.flat], dtype=_np.float64).reshape(src.shape)
        return _wrap(out.astype(_NP[code]))

    return g


def set_printoptions(threshold=None, edgeitems=None):
    if threshold is not None:
        _print["threshold"] = int(threshold)
    if edgeitems is not None:
        _print["edgeitems"] = int(edgeitems)


def get_printoptions():
    return dict(_print)


def _power_of_two(n):
    return n > 0 and n & (n - 1) == 0


def _fft(real, imag, inverse):
    if not isinstance(real, ndarray) or real._a.ndim != 1:
        raise TypeError("FFT is implemented for linear arrays only")
    n = real._a.size
    if not _power_of_two(n):
        raise ValueError("input array length must be power of 2")
    z = real._a.astype(_np.float64)
    if imag is not None:
        if not isinstance(imag, ndarray) or imag._a.size != n:
            raise ValueError("real and imaginary parts must be of equal length")
        z = z + 1j * imag._a.astype(_np.float64)
    r = _np.fft.ifft(z) if inverse else _np.fft.fft(z)
    return r


class _Module(_types.ModuleType):
    """A ulab submodule, printed as MicroPython prints a module: <module 'name'>."""

    def __init__(self, name, names):
        super().__init__(name)
        del self.__dict__["__doc__"]
        self.__dict__.update(names)

    def __repr__(self):
        return "<module '%s'>" % self.__name__.rsplit(".", 1)[-1]


def _fft_fft(r, c=None):
    z = _fft(r, c, False)
    return _wrap(z.real.copy()), _wrap(z.imag.copy())


def _fft_ifft(r, c=None):
    z = _fft(r, c, True)
    return _wrap(z.real.copy()), _wrap(z.imag.copy())


def _linalg_norm(x, axis=None):
    return _result(_np.linalg.norm(_arr(x).astype(_np.float64), axis=axis))


def _square(m):
    a = _arr(m).astype(_np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError("input must be square matrix")
    return a


def _linalg_inv(m):
    a = _square(m)
    if abs(_np.linalg.det(a)) < 1e-12:
        raise ValueError("input matrix is singular")
    return _wrap(_np.linalg.inv(a))


def _linalg_cholesky(m):
    try:
        return _wrap(_np.linalg.cholesky(_square(m)))
    except _np.linalg.LinAlgError:
        raise ValueError("input matrix is not positive definite") from None


def _linalg_eig(m):
    a = _square(m)
    if not _np.allclose(a, a.T):
        raise ValueError("input matrix is asymmetric")
    w, v = _np.linalg.eigh(a)
    return _wrap(w), _wrap(v)


def _linalg_qr(m, mode="reduced"):
    q, r = _np.linalg.qr(_arr(m).astype(_np.float64), mode=mode)
    return _wrap(q), _wrap(r)


def _utils_from_buffer(np_type):
    def f(buffer, *, count=-1, offset=0, out=None, byteswap=False):
        data = memoryview(buffer).cast("B")
        if len(data) < offset:
            raise ValueError("offset is too large")
        size = _np.dtype(np_type).itemsize
        n = (len(data) - offset) // size
        if n * size != len(data) - offset and count < 0:
            raise ValueError("buffer size must be a multiple of element size")
        if count >= 0:
            n = count
        v = _np.frombuffer(data, dtype=np_type, count=n, offset=offset)
        if byteswap:
            v = v.byteswap()
        v = v.astype(_np.float64)
        if out is not None:
            if not isinstance(out, ndarray) or out._code() != _F:
                raise TypeError("out must be a float dense array")
            out._a[...] = v
            return out
        return _wrap(v)

    return f


def _spectrogram(r, c=None):
    return _wrap(_np.abs(_fft(r, c, False)))


def _solve_triangular(a, b, lower=False):
    m = _square(a)
    if _np.any(_np.diag(m) == 0):
        raise ValueError("input matrix is singular")
    return _wrap(_np.linalg.solve(_np.tril(m) if lower else _np.triu(m), _arr(b).astype(_np.float64)))


def _cho_solve(L, b):
    m = _square(L)
    y = _np.linalg.solve(m, _arr(b).astype(_np.float64))
    return _wrap(_np.linalg.solve(m.T, y))


def _special(fn):
    def f(x):
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            return float(fn(x))
        src = _arr(x).astype(_np.float64)
        return _wrap(_np.array([fn(v) for v in src.flat], dtype=_np.float64).reshape(src.shape))

    return f


def _sosfilt(sos, x, *, zi=None):
    s = _arr(sos).astype(_np.float64)
    if s.ndim != 2 or s.shape[1] != 6:
        raise ValueError("sos array must be of shape (n_section, 6)")
    y = _arr(x).astype(_np.float64).copy()
    z = _np.zeros((s.shape[0], 2)) if zi is None else _arr(zi).astype(_np.float64).copy()
    for k, (b0, b1, b2, a0, a1, a2) in enumerate(s):
        for i, xi in enumerate(y):
            yi = b0 * xi + z[k, 0]
            z[k, 0] = b1 * xi - a1 * yi + z[k, 1]
            z[k, 1] = b2 * xi - a2 * yi
            y[i] = yi
    return _wrap(y) if zi is None else (_wrap(y), _wrap(z))


def _bisect(f, a, b, *, xtol=2.4e-7, maxiter=100):
    fa = f(a)
    if fa * f(b) > 0:
        raise ValueError("function has the same sign at the ends of interval")
    for _ in range(maxiter):
        mid = (a + b) / 2
        fm = f(mid)
        if fa * fm <= 0:
            b = mid
        else:
            a, fa = mid, fm
        if b - a < xtol:
            break
    return (a + b) / 2


def _newton(f, x0, *, tol=1.48e-8, rtol=0.0, maxiter=50):
    x = x0
    dx = 1e-6
    for _ in range(maxiter):
        fx = f(x)
        d = (f(x + dx) - fx) / dx
        if d == 0:
            break
        step = fx / d
        x -= step
        if abs(step) < tol + rtol * abs(x):
            break
    return x


def _fmin(f, x0, *, xatol=2.4e-7, fatol=2.4e-7, maxiter=200):
    # Nelder-Mead in one dimension, as ulab's optimize.fmin.
    x = [float(x0), float(x0) * 1.05 if x0 != 0 else 0.00025]
    for _ in range(maxiter):
        x.sort(key=f)
        if abs(x[1] - x[0]) < xatol and abs(f(x[1]) - f(x[0])) < fatol:
            break
        r = 2 * x[0] - x[1]
        if f(r) < f(x[0]):
            e = 3 * x[0] - 2 * x[1]
            x[1] = e if f(e) < f(r) else r
        elif f(r) < f(x[1]):
            x[1] = r
        else:
            x[1] = (x[0] + x[1]) / 2
    return _bi.min(x, key=f)


_numpy_names = {k: v for k, v in globals().items() if not k.startswith("_") and k not in ("ndarray",)}
for _k in ("numpy", "scipy", "utils"):
    _numpy_names.pop(_k, None)
_numpy_names.update({k: _vectorised(fn) for k, fn in _MATH.items()})
_numpy_names.update(ndarray=ndarray, e=_math.e, pi=_math.pi, inf=float("inf"), nan=float("nan"), bool=_BOOL,
                    uint8=_B, int8=_b, uint16=_H, int16=_h, float=_F)
_numpy_names["fft"] = _Module("fft", {"fft": _fft_fft, "ifft": _fft_ifft})
_numpy_names["linalg"] = _Module("linalg", {"cholesky": _linalg_cholesky, "det": lambda m: float(_np.linalg.det(_square(m))),
                                            "eig": _linalg_eig, "inv": _linalg_inv, "norm": _linalg_norm,
                                            "qr": _linalg_qr})
numpy = _Module("numpy", _numpy_names)
utils = _Module("utils", {"from_int16_buffer": _utils_from_buffer(_np.int16),
                          "from_uint16_buffer": _utils_from_buffer(_np.uint16),
                          "from_int32_buffer": _utils_from_buffer(_np.int32),
                          "from_uint32_buffer": _utils_from_buffer(_np.uint32), "spectrogram": _spectrogram})
scipy = _Module("scipy", {
    "linalg": _Module("linalg", {"solve_triangular": _solve_triangular, "cho_solve": _cho_solve}),
    "optimize": _Module("optimize", {"bisect": _bisect, "fmin": _fmin, "newton": _newton}),
    "signal": _Module("signal", {"sosfilt": _sosfilt}),
    "special": _Module("special", {"erf": _special(_math.erf), "erfc": _special(_math.erfc),
                                   "gamma": _special(_math.gamma), "gammaln": _special(_math.lgamma)}),
})
