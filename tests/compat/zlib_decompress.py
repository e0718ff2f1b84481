# zlib.decompress as CircuitPython has it; the compressed inputs were made by CPython's zlib and gzip
# (the reference), the expected output is the text they compressed.
import zlib
z = b'x\x9cs\xce,J.\xcd,\t\xa8,\xc9\xc8\xcfS\x00\xa2D\x85\x94\xd4\xe2\xec\x92\xfc\x02.g\xb2\xa4\x00\xd8\xe9\x1d\xe6'
r = b's\xce,J.\xcd,\t\xa8,\xc9\xc8\xcfS\x00\xa2D\x85\x94\xd4\xe2\xec\x92\xfc\x02.g\xb2\xa4\x00'
g = b'\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03s\xce,J.\xcd,\t\xa8,\xc9\xc8\xcfS\x00\xa2D\x85\x94\xd4\xe2\xec\x92\xfc\x02.g\xb2\xa4\x00yG\x17-Q\x00\x00\x00'
print(zlib.decompress(z))
print(zlib.decompress(r, -15) == zlib.decompress(z), zlib.decompress(g, 31) == zlib.decompress(z))
for bad, w in ((z[:-1], 0), (z[:-4] + b"XXXX", 0), (b"garbage", 0)):
    try:
        zlib.decompress(bad, w)
    except ValueError as e:
        print("ValueError:", e)
print([n for n in dir(zlib) if not n.startswith("_")])
