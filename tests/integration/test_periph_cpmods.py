"""The small CircuitPython modules circuit9 builds on CPython (hashlib, msgpack, locale, getpass,
atexit), run as scripts and on a board. Reference values: the FIPS 180 SHA-1 test vector, msgpack
encodings worked out by hand from the msgpack specification and CircuitPython's packer (it writes
300 as int16 and -32 as int8, and only 31-bit ints)."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))
EXE = os.path.join(BUILD, "circuit9")


def script(tmp_path, code, stdin=b""):
    (tmp_path / "s.py").write_text(code)
    return subprocess.run([EXE, str(tmp_path / "s.py")], input=stdin, capture_output=True, timeout=60)


def test_hashlib(tmp_path):
    p = script(tmp_path, '''
import hashlib
h = hashlib.new("sha1")
h.update(b"ab")
h.update(memoryview(b"c"))
print(h.digest().hex(), h.digest_size, type(h).__name__)
print(hashlib.new("sha1", b"abc").digest() == h.digest())
for bad in ("sha256", 1):
    try:
        hashlib.new(bad)
    except Exception as e:
        print(type(e).__name__, e)
try:
    h.update([1])
except TypeError as e:
    print(e)
''')
    assert p.stdout.decode().splitlines() == [
        "a9993e364706816aba3e25717850c26c9cd0d89d 20 Hash",
        "True",
        "ValueError Unsupported hash algorithm",
        "TypeError can't convert 'int' object to str implicitly",
        "object with buffer protocol required",
    ]


def test_msgpack(tmp_path):
    p = script(tmp_path, '''
import msgpack, io
def packed(obj, **kw):
    b = io.BytesIO()
    msgpack.pack(obj, b, **kw)
    return b.getvalue()
print(packed({"a": [1, -5, 300, 1.5, None, True, b"xy"]}).hex())
print(packed(-32).hex(), packed(-31).hex(), packed(70000).hex(), packed("s" * 32)[:2].hex())
print(packed(msgpack.ExtType(5, b"abcd")).hex(), packed(msgpack.ExtType(1, b"abc")).hex())
try:
    packed(1 << 30)
except ValueError as e:
    print(e)
print(packed(1 << 30, default=lambda x: str(x)).hex())
class Thing:
    pass
try:
    packed(Thing(), default=lambda x: Thing())
except ValueError as e:
    print(e)
b = io.BytesIO(packed([1, (2, 3), {"k": msgpack.ExtType(7, b"z")}]))
v = msgpack.unpack(b, use_list=False)
print(v[0], v[1], v[2]["k"].code, v[2]["k"].data)
print(msgpack.unpack(io.BytesIO(bytes.fromhex("d40701")), ext_hook=lambda c, d: (c, d)))
for data in ("c1", "", "d9"):
    try:
        msgpack.unpack(io.BytesIO(bytes.fromhex(data)))
    except Exception as e:
        print(type(e).__name__, e)
try:
    msgpack.ExtType(128, b"")
except ValueError as e:
    print(e)
try:
    msgpack.pack(1, io.BytesIO(), default=3)
except ValueError as e:
    print(e)
''')
    assert p.stdout.decode().splitlines() == [
        "81a1619701fbd1012cca3fc00000c0c3c4027879",
        "d0e0 e1 d200011170 d920",
        "d60561626364 c70301616263",
        "no default packer",
        "aa31303733373431383234",
        "no default packer",
        "1 (2, 3) 7 b'z'",
        "(7, b'\\x01')",
        "ValueError Invalid format",
        "EOFError ",
        "EOFError ",
        "code must be 0-127",
        "default is not a function",
    ], p.stderr.decode()


def test_locale_and_getpass(tmp_path):
    p = script(tmp_path, '''
import locale, getpass, io
print(locale.getlocale())
s = io.StringIO()
print(repr(getpass.getpass("PIN? ", s)), repr(s.getvalue()))
try:
    getpass.getpass(stream=1)
except OSError as e:
    print(e)
''', stdin=b"12\x7f3x\r")
    out = p.stdout.decode()
    assert out.startswith("('en_US', 'utf-8')\n")
    assert "'13x' 'PIN? '" in out
    assert "stream operation not supported" in out


def test_atexit_after_code_py(tmp_path):
    drive = tmp_path / "CIRCUITPY"
    drive.mkdir()
    (drive / "code.py").write_text('''
import atexit
def bye(who, punct="!"):
    print("bye", who + punct)
atexit.register(bye, "first")
atexit.register(bye, "second", punct="?")
def never():
    print("never")
atexit.register(never)
atexit.unregister(never)
try:
    atexit.register(3)
except TypeError as e:
    print(e)
print("end of code")
''')
    p = subprocess.run([EXE, "run", str(drive), "--runs", "1", "--no-window"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    out = p.stdout.replace("\r", "")
    assert "'int' object is not callable\nend of code\nbye second?\nbye first!\n\nCode done running." in out
