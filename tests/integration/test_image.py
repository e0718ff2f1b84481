"""`circuit9 image`: a CIRCUITPY folder to the disk a board presents over USB, and back.

The image is checked against what CircuitPython 9 presents (an MBR synthesised as in
supervisor/shared/flash.c: one entry of type 0x06, "CIRCUITPY on Android", PR #8580), Debian's
fsck.fat, and mtools reading the files back byte for byte with their times.
"""
import filecmp
import os
import shutil
import struct
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))
EXE = os.path.join(BUILD, "circuit9")
PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
ENV = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8", MTOOLS_SKIP_CHECK="1", PATH=PATH,
           SOURCE_DATE_EPOCH="1700000000")
TOOLS = all(shutil.which(t, path=PATH) for t in ("fsck.fat", "mkfs.fat", "mcopy", "mlabel"))
needs_tools = pytest.mark.skipif(not TOOLS, reason="needs dosfstools and mtools (tools/install-deps.sh installs them)")

FILES = {
    "code.py": b'print("Hello World!")\n',
    "settings.toml": b"",
    "boot_out.txt": b"Adafruit CircuitPython 9.2.9\n",
    "lib/adafruit_display_text/label.py": bytes(range(256)) * 40,
    "lib/neopixel.mpy": b"M\x06" + bytes(3000),
    "donn\u00e9es/\u00e9t\u00e9.txt": "caf\u00e9\n".encode(),
    "\u65e5\u672c\u8a9e/\u30d5\u30a1\u30a4\u30eb.txt": b"\xe3\x81\x82\n",
    "A very long file name, longer than any 8.3 name could be, with spaces.txt": b"long\n",
    ".hidden": b"dot\n",
    "big.bin": os.urandom(300 * 1024),
}
DIRS = ["empty dir", "lib/deeper/and deeper"]


def make_tree(base):
    t = 1600000000
    for i, (name, data) in enumerate(sorted(FILES.items())):
        p = os.path.join(base, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        os.utime(p, (t + 2 * i, t + 2 * i))  # FAT keeps even seconds
    for d in DIRS:
        os.makedirs(os.path.join(base, d), exist_ok=True)


def run(*args, check=True):
    r = subprocess.run([EXE, "image", *args], capture_output=True, text=True, env=ENV, timeout=120)
    if check and r.returncode:
        raise AssertionError(f"{args}: exit {r.returncode}\n{r.stderr}")
    return r


def tree(base):
    """{relative path: (bytes or None for a directory, mtime)}"""
    out = {}
    for d, dirs, files in os.walk(base):
        for n in dirs:
            p = os.path.join(d, n)
            out[os.path.relpath(p, base)] = (None, None)
        for n in files:
            p = os.path.join(d, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, base)] = (f.read(), int(os.stat(p).st_mtime))
    return out


def compare(src, dst, times=True):
    a, b = tree(src), tree(dst)
    assert sorted(a) == sorted(b)
    for k in a:
        assert a[k][0] == b[k][0], k
        if times and a[k][1] is not None:
            assert a[k][1] == b[k][1], k


@pytest.fixture
def image(tmp_path):
    src = tmp_path / "CIRCUITPY"
    src.mkdir()
    make_tree(str(src))
    img = tmp_path / "circuitpy.img"
    run(str(src), "-o", str(img), "--size", "2M")
    return src, img


def test_mbr_is_circuitpython_9s(image):
    _, img = image
    data = img.read_bytes()
    assert len(data) == 2 * 1024 * 1024 + 512
    mbr = data[:512]
    # 446 zero bytes, then {boot 0, CHS FF FF FF, type 0x06, CHS FF FF FF, start 1, count}, three
    # empty entries, 0x55 0xAA.
    entry = bytes([0, 0xFF, 0xFF, 0xFF, 0x06, 0xFF, 0xFF, 0xFF]) + struct.pack("<II", 1, 4096)
    assert mbr == bytes(446) + entry + bytes(48) + b"\x55\xaa"


def test_volume_is_circuitpython_format(image):
    _, img = image
    vbr = img.read_bytes()[512:1024]
    assert vbr[:11] == b"\xeb\xfe\x90MSDOS5.0"
    bps, spc, rsv, fats, root, total16, media, fatsz = struct.unpack_from("<HBHBHHBH", vbr, 11)
    assert (bps, spc, rsv, fats, root, total16, media, fatsz) == (512, 2, 1, 1, 512, 4096, 0xF8, 7)
    assert struct.unpack_from("<I", vbr, 28)[0] == 1  # hidden sectors: the partition's start


@needs_tools
def test_fsck_and_mtools_read_it_back(image, tmp_path):
    src, img = image
    part = tmp_path / "part.img"
    part.write_bytes(img.read_bytes()[512:])
    r = subprocess.run(["fsck.fat", "-n", "-v", str(part)], capture_output=True, text=True, env=ENV)
    assert r.returncode == 0, r.stdout
    assert "12 bit entries" in r.stdout and "1 FATs" in r.stdout
    r = subprocess.run(["mlabel", "-s", "-i", f"{img}@@512", "::"], capture_output=True, text=True, env=ENV)
    assert "CIRCUITPY" in r.stdout
    out = tmp_path / "mtools"
    out.mkdir()
    r = subprocess.run(["mcopy", "-s", "-m", "-n", "-i", f"{img}@@512", "::/*", str(out)], capture_output=True,
                       text=True, env=ENV)
    assert r.returncode == 0, r.stderr
    compare(str(src), str(out))


def test_extract_round_trip(image, tmp_path):
    src, img = image
    out = tmp_path / "back"
    run("--extract", str(img), str(out))
    compare(str(src), str(out))


def test_reproducible_with_source_date_epoch(image, tmp_path):
    src, img = image
    again = tmp_path / "again.img"
    run(str(src), "-o", str(again), "--size", "2M")
    assert filecmp.cmp(str(img), str(again), shallow=False)


def test_sizes_and_types(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "code.py").write_bytes(b"print(1)\n")
    os.utime(src / "code.py", (1600000000, 1600000000))
    for size, fat_bits in (("64K", 12), ("4M", 12), ("16M", 16)):
        img = tmp_path / f"{size}.img"
        run(str(src), "-o", str(img), "--size", size)
        data = img.read_bytes()
        assert len(data) == int(size[:-1]) * (1024 if size[-1] == "K" else 1024 * 1024) + 512
        out = tmp_path / f"{size}.out"
        run("--extract", str(img), str(out))
        compare(str(src), str(out))
        if TOOLS:
            part = tmp_path / "p.img"
            part.write_bytes(data[512:])
            r = subprocess.run(["fsck.fat", "-n", "-v", str(part)], capture_output=True, text=True, env=ENV)
            assert r.returncode == 0, r.stdout
            assert f"{fat_bits} bit entries" in r.stdout


def test_folder_too_big_for_the_drive(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "big.bin").write_bytes(os.urandom(200 * 1024))
    img = tmp_path / "small.img"
    r = run(str(src), "-o", str(img), "--size", "128K", check=False)
    assert r.returncode == 1
    assert "use a larger --size" in r.stderr
    assert not img.exists()


def test_bad_arguments(tmp_path):
    assert run(check=False).returncode == 2
    assert run(str(tmp_path), check=False).returncode == 2  # no -o
    r = run(str(tmp_path), "-o", str(tmp_path / "x.img"), "--size", "lots", check=False)
    assert r.returncode == 2 and "not a size" in r.stderr
    r = run(str(tmp_path / "missing"), "-o", str(tmp_path / "x.img"), check=False)
    assert r.returncode == 1 and "not a directory" in r.stderr
    r = run("--extract", str(tmp_path / "missing.img"), str(tmp_path / "o"), check=False)
    assert r.returncode == 1
    junk = tmp_path / "junk.img"
    junk.write_bytes(bytes(64 * 1024))
    r = run("--extract", str(junk), str(tmp_path / "o"), check=False)
    assert r.returncode == 1 and "no FAT file system" in r.stderr


@needs_tools
def test_extract_a_bare_volume_made_by_mtools(tmp_path):
    """A card image without a partition table (mkfs.fat), filled by mtools."""
    src = tmp_path / "src"
    src.mkdir()
    make_tree(str(src))
    img = tmp_path / "card.img"
    subprocess.run(["mkfs.fat", "-C", "-F", "16", "-s", "2", str(img), "16384"], check=True, capture_output=True,
                   env=ENV)
    names = sorted(os.listdir(src))
    subprocess.run(["mcopy", "-s", "-m", "-i", str(img), *names, "::/"], check=True, capture_output=True, env=ENV,
                   cwd=str(src))
    out = tmp_path / "out"
    run("--extract", str(img), str(out))
    compare(str(src), str(out))
