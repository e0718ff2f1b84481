# ulab.numpy as CircuitPython programs use it. Expected values are numpy's documented results;
# dtypes, upcasting and printing follow ulab's manual (its "Upcasting" table and printed examples).
import ulab
import ulab.numpy as np
from ulab import utils

print(ulab.__version__)
a = np.array([1, 2, 3, 4], dtype=np.uint8)
b = np.array([1, 2, 3, 4], dtype=np.int8)
c = np.array([1, 2, 3, 4], dtype=np.float)
print(a)
print(a + b)
print(a * c)
print(np.array([1, 2, 3]))
print(np.array([200], dtype=np.uint8) + np.array([100], dtype=np.uint8))
print(a + 1, a - 1)
print(np.array([1, 2, 3], dtype=np.uint16) + np.array([1, 2, 3], dtype=np.int16))
print(a / 2)
print(a > 2, a[a > 2])
print(a.dtype == np.uint8, c.dtype == np.float, a.shape, a.size, a.itemsize, len(a))

m = np.zeros((2, 3), dtype=np.int16)
m[1, 2] = 7
m[0] = np.array([1, 2, 3])
print(m)
print(m[1], m[:, 2], m[1, 2], m.T.shape)
print(np.ones(3, dtype=np.bool))
print(np.arange(5), np.arange(1, 2, 0.25))
print(np.linspace(0, 10, num=5))
print(np.arange(20, dtype=np.uint8))
print(np.frombuffer(b"\x01\x02\x03\x04", dtype=np.uint16))
print(np.array([1, 2], dtype=np.uint16).tobytes())
print(np.array([[1, 2], [3, 4]], dtype=np.int8).reshape((1, 4)), np.array(range(4)).tolist())

v = np.array([3, 1, 4, 1, 5, 9, 2, 6], dtype=np.int16)
print(np.min(v), np.max(v), np.argmin(v), np.argmax(v), np.sum(v), np.mean(v))
print(np.std(np.array([1, 2, 3, 4])), np.median(v))
print(np.sort(v), v[::-1], v[2:5])
v.sort()
print(v)
print(np.sqrt(np.array([1, 4, 9])), np.sqrt(16), np.sin(0.0))
print(np.max(np.array([[1, 5], [7, 2]], dtype=np.uint8), axis=0))
re, im = np.fft.fft(np.array([1, 0, 0, 0]))
print(re, im)
print(utils.spectrogram(np.array([1, 1, 1, 1])))
try:
    np.array([1, 2]) + np.array([1, 2, 3])
except ValueError as e:
    print("ValueError:", e)
try:
    np.zeros(3, dtype=5)
except TypeError as e:
    print("TypeError:", e)
print(memoryview(np.array([1, 2], dtype=np.int16)).tolist())
