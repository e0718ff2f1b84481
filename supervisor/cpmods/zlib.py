# CircuitPython's zlib (extmod/moduzlib.c as CircuitPython 9 builds it): decompress() only.
#
# wbits as MicroPython reads it: 0 or 8..15 expect a zlib header, -8..-15 a raw DEFLATE stream,
# 24..31 a gzip header; bufsize is accepted and ignored. Corrupt input raises ValueError with
# uzlib's status code (-3 for bad data, -4 for a wrong checksum), as a board does.
import zlib as _zlib

__all__ = ["decompress"]

_DATA_ERROR = -3
_CHKSUM_ERROR = -4


def decompress(data, wbits=0, bufsize=0, /):
    if not isinstance(wbits, int) or isinstance(wbits, bool):
        raise TypeError("can't convert %s to int" % type(wbits).__name__)
    if not isinstance(bufsize, int):
        raise TypeError("can't convert %s to int" % type(bufsize).__name__)
    data = memoryview(data).tobytes()
    try:
        out = _zlib.decompressobj(wbits)
    except ValueError:
        raise ValueError(_DATA_ERROR) from None
    try:
        result = out.decompress(data)
    except _zlib.error as e:
        raise ValueError(_CHKSUM_ERROR if "data check" in str(e) else _DATA_ERROR) from None
    if not out.eof:
        raise ValueError(_DATA_ERROR)
    return result
