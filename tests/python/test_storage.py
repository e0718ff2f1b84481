"""storage.VfsFat over Python block devices (CircuitPython's readblocks/writeblocks/ioctl
protocol), from CPython: formatting as CircuitPython's VfsFat.mkfs does, files and directories
checked by fsck.fat and read back by mtools byte for byte, images made by mkfs.fat and mtools
read through VfsFat, MicroPython's file objects, the errors CircuitPython raises, the block-device
protocol (copies, exceptions, the old protocol, re-entry), Ctrl-C inside a device, and the mount
rules of storage.mount()."""
import _thread
import errno
import io
import os
import shutil
import struct
import subprocess

import pytest

import circuit9.os as cos
import circuit9.storage as storage

PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
ENV = dict(os.environ, LC_ALL="C.UTF-8", MTOOLS_SKIP_CHECK="1", PATH=PATH)
TOOLS = all(shutil.which(t, path=PATH) for t in ("fsck.fat", "mkfs.fat", "mcopy", "mtype", "mdir", "mlabel"))
needs_tools = pytest.mark.skipif(not TOOLS, reason="needs dosfstools and mtools (tools/install-deps.sh installs them)")


class RamDisk:
    """CircuitPython's block-device protocol over a bytearray, counting what is asked of it."""

    def __init__(self, blocks=None, data=None):
        self.data = bytearray(data) if data is not None else bytearray(blocks * 512)
        self.calls = []
        self.after_write = None  # a test's hook, called after each write

    def readblocks(self, block, buf):
        self.calls.append(("read", block, len(buf)))
        buf[:] = self.data[block * 512:block * 512 + len(buf)]

    def writeblocks(self, block, buf):
        self.calls.append(("write", block, len(buf)))
        self.data[block * 512:block * 512 + len(buf)] = buf
        if self.after_write:
            self.after_write()

    def ioctl(self, op, arg):
        self.calls.append(("ioctl", op, arg))
        if op == 4:
            return len(self.data) // 512
        if op == 5:
            return 512
        return None


def run(*cmd, check=True):
    return subprocess.run(cmd, env=ENV, capture_output=True, check=check)


def image_of(disk, tmp_path, name="disk.img"):
    path = tmp_path / name
    path.write_bytes(disk.data)
    return path


def fsck_clean(path):
    r = run("fsck.fat", "-n", str(path), check=False)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()


def formatted(blocks=256):
    disk = RamDisk(blocks)
    storage.VfsFat.mkfs(disk)
    return disk, storage.VfsFat(disk)


# ---- formatting -----------------------------------------------------------------------------------

# FatFs's f_mkfs(FM_FAT | FM_SFD) as CircuitPython 9.2.9's VfsFat.mkfs runs it: one FAT, 512 root
# entries (128 on volumes of 256 sectors or fewer), one reserved sector, media 0xF8, 63 sectors
# per track and 255 heads, boot code EB FE 90, OEM name MSDOS5.0, "NO NAME" and no label entry,
# no hidden sectors; the cluster size from the size in 4096-sector steps (FatFs's cst table: 1
# sector below 4096, 2 from 4096, 4 from 16384, 8 from 65536, ...); "FAT     " as FatFs names
# FAT12 and FAT16 alike.
@needs_tools
@pytest.mark.parametrize("blocks, root_entries, sectors_per_cluster, fs_type", [
    (64, 128, 1, b"FAT     "),     # CircuitPython's own getenv test disk
    (256, 128, 1, b"FAT     "),
    (4096, 512, 2, b"FAT     "),
    (40000, 512, 4, b"FAT     "),
])
def test_mkfs_as_circuitpython(tmp_path, blocks, root_entries, sectors_per_cluster, fs_type):
    disk = RamDisk(blocks)
    assert storage.VfsFat.mkfs(disk) is None
    b = disk.data[:512]
    assert b[0:3] == b"\xeb\xfe\x90" and b[3:11] == b"MSDOS5.0"
    bps, spc, rsv, nfats, roots, total16, media = struct.unpack_from("<HBHBHHB", b, 11)
    spt, heads, hidden = struct.unpack_from("<HHI", b, 24)
    assert (bps, spc, rsv, nfats, roots, media) == (512, sectors_per_cluster, 1, 1, root_entries, 0xF8)
    assert (spt, heads, hidden) == (63, 255, 0)
    assert total16 == blocks and b[43:54] == b"NO NAME    " and b[54:62] == fs_type
    assert b[510:512] == b"\x55\xaa"
    fsck_clean(image_of(disk, tmp_path))
    vfs = storage.VfsFat(disk)
    assert vfs.label == "" and list(vfs.ilistdir("/")) == []
    assert not any(op == "write" for op, *_ in disk.calls[-5:])  # mounting writes nothing


def test_mkfs_too_small_and_read_only():
    with pytest.raises(OSError) as e:
        storage.VfsFat.mkfs(RamDisk(4))
    assert e.value.errno == errno.EIO  # FatFs: FR_MKFS_ABORTED

    class NoWrite:
        """A device without writeblocks is read-only."""

        data = bytearray(64 * 512)
        calls = []
        readblocks = RamDisk.readblocks
        ioctl = RamDisk.ioctl

    with pytest.raises(OSError) as e:
        storage.VfsFat.mkfs(NoWrite())
    assert e.value.errno == errno.EROFS


# ---- files round trip with mtools --------------------------------------------------------------

LONG = "A name far longer than eight dot three, with spaces.txt"
UNICODE = "caf\u00e9 \u65e5\u672c.txt"
BLOB = bytes((i * 31 + (i >> 9)) & 0xFF for i in range(100000))


@needs_tools
def test_written_by_vfsfat_read_by_mtools(tmp_path):
    disk, vfs = formatted(4096)
    vfs.label = "circuit9"
    vfs.mkdir("/lib")
    vfs.mkdir("/lib/deep")
    with vfs.open("/code.py", "w") as f:
        assert f.write("print('hi')\n") == 12
    with vfs.open("/lib/deep/" + LONG, "wb") as f:
        f.write(BLOB[:33333])
        f.write(BLOB[33333:])
    with vfs.open("/" + UNICODE, "w") as f:
        f.write("\u00e9t\u00e9\n")
    with vfs.open("/gone.txt", "w") as f:
        f.write("x")
    vfs.remove("/gone.txt")
    vfs.rename("/code.py", "/lib/main.py")
    image = image_of(disk, tmp_path)
    fsck_clean(image)
    assert run("mtype", "-i", str(image), "::lib/deep/" + LONG).stdout == BLOB
    assert run("mtype", "-i", str(image), "::lib/main.py").stdout == b"print('hi')\n"
    assert run("mtype", "-i", str(image), "::" + UNICODE).stdout == "\u00e9t\u00e9\n".encode()
    assert run("mlabel", "-s", "-i", str(image), "::").stdout.decode().strip() == "Volume label is CIRCUIT9"
    names = run("mdir", "-b", "-i", str(image), "::").stdout.decode().splitlines()
    assert sorted(n.rstrip("/").split("/")[-1] for n in names) == sorted(["lib", UNICODE])


@needs_tools
def test_made_by_mkfs_fat_read_by_vfsfat(tmp_path):
    image = tmp_path / "card.img"
    run("mkfs.fat", "-C", str(image), "2048")
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / LONG).write_bytes(BLOB)
    (src / "small.txt").write_text("small\n")
    run("mcopy", "-i", str(image), str(src / "small.txt"), "::small.txt")
    run("mcopy", "-s", "-i", str(image), str(src / "sub"), "::sub")
    disk = RamDisk(data=image.read_bytes())
    vfs = storage.VfsFat(disk)
    assert sorted(vfs.ilistdir("/")) == [("small.txt", 0x8000, 0, 6), ("sub", 0x4000, 0, 0)]
    with vfs.open("/sub/" + LONG, "rb") as f:
        assert f.read() == BLOB
    st = vfs.stat("/small.txt")
    assert st[0] == 0x8000 and st[6] == 6
    assert abs(st[8] - int(os.stat(src / "small.txt").st_mtime)) <= 2  # FAT keeps even seconds
    bsize, frsize, blocks, bfree, bavail, *rest = vfs.statvfs("/")
    assert bsize == frsize and bfree == bavail and 0 < bfree < blocks and rest == [0, 0, 0, 0, 255]


# ---- MicroPython's file objects -------------------------------------------------------------------

def test_file_objects():
    disk, vfs = formatted()
    with vfs.open("/t.txt", "w") as f:
        assert type(f).__name__ == "TextIOWrapper" and repr(f).startswith("<io.TextIOWrapper ")
        assert isinstance(f, io.TextIOBase)
        f.write("\u00e9t\u00e9 one\nline two\r\nthree")
    with vfs.open("/t.txt", "r") as f:
        assert f.read(3) == "\u00e9t\u00e9"  # characters, not bytes
        assert f.readline() == " one\n"
        assert f.readline() == "line two\r\n"  # no newline translation
        assert f.read() == "three" and f.read() == ""
        assert f.seek(0) == 0 and f.tell() == 0
        assert list(f) == ["\u00e9t\u00e9 one\n", "line two\r\n", "three"]
    with vfs.open("/t.txt", "a") as f:
        assert f.tell() == 25
        f.write(b"!")  # a text file takes bytes, a binary one str, as MicroPython's streams do
    with vfs.open("/t.txt", "rb") as f:
        assert type(f).__name__ == "FileIO" and isinstance(f, io.RawIOBase)
        buf = bytearray(4)
        assert f.readinto(buf) == 4 and buf == "\u00e9t".encode() + b"\xc3"
        assert f.seek(-1, 2) == 25 and f.read() == b"!"
        assert f.readlines() == []
    with vfs.open("/t.txt", "r+b") as f:
        f.write("\u00c9")
        f.seek(0)
        assert f.read(2) == "\u00c9".encode()
    with vfs.open("/t.txt", "w") as f:
        pass
    assert vfs.stat("/t.txt")[6] == 0
    f = vfs.open("/t.txt", "r")
    f.close()
    f.close()
    with pytest.raises(OSError) as e:
        f.read()
    assert e.value.errno == errno.EINVAL
    with vfs.open("/t.txt", "w") as f:
        with pytest.raises(OSError) as e:
            f.read()
        assert e.value.errno == errno.EACCES


def test_unclosed_file_is_on_the_device():
    disk, vfs = formatted()
    f = vfs.open("/log.txt", "w")
    f.write("kept without close\n")
    # Nothing is buffered: another view of the same bytes sees the file already.
    again = storage.VfsFat(RamDisk(data=disk.data))
    with again.open("/log.txt", "r") as g:
        assert g.read() == "kept without close\n"
    del f


# ---- errors as CircuitPython raises them ------------------------------------------------------------

def oserror(fn, *args):
    with pytest.raises(OSError) as e:
        fn(*args)
    return e.value


def test_errors():
    disk, vfs = formatted()
    vfs.mkdir("/d")
    with vfs.open("/d/f.txt", "w") as f:
        f.write("x")
    with pytest.raises(ValueError, match="Invalid mode"):
        vfs.open("/x", "rw")
    with pytest.raises(ValueError, match="Invalid mode"):
        vfs.open("/x", "rbt")
    e = oserror(vfs.open, "/missing.txt", "r")
    assert e.args == (errno.ENOENT, "/missing.txt")  # FatFs's open names the path
    assert oserror(vfs.open, "/d", "r").errno == errno.ENOENT  # a directory is no file to FatFs
    assert oserror(vfs.open, "/d/f.txt", "x").errno == errno.EEXIST
    assert oserror(vfs.remove, "/d").errno == errno.EISDIR
    assert oserror(vfs.rmdir, "/d/f.txt").errno == errno.ENOTDIR
    assert oserror(vfs.rmdir, "/d").errno == errno.EACCES  # not empty: FR_DENIED
    assert oserror(vfs.mkdir, "/d").errno == errno.EEXIST
    assert oserror(vfs.stat, "/d/f.txt/x").errno == errno.ENOENT
    assert oserror(vfs.mkdir, "/" + "n" * 256).errno == errno.EINVAL
    assert oserror(vfs.mkdir, "/a:b").errno == errno.EINVAL
    assert oserror(vfs.chdir, "/d/f.txt").errno == errno.ENOENT
    with vfs.open("/other.txt", "w") as f:
        f.write("other")
    vfs.rename("/other.txt", "/d/f.txt")  # a file in the way is replaced
    with vfs.open("/d/f.txt", "r") as f:
        assert f.read() == "other"
    vfs.mkdir("/e")
    assert oserror(vfs.rename, "/d/f.txt", "/e").errno == errno.EISDIR
    with pytest.raises(TypeError, match="can't convert 'int' object to str implicitly"):
        vfs.stat(5)


def test_full_volume():
    disk, vfs = formatted(64)
    with vfs.open("/big", "wb") as f:
        with pytest.raises(OSError) as e:
            while True:
                f.write(bytes(4096))
        assert e.value.errno == errno.ENOSPC
    for i in range(200):
        try:
            vfs.mkdir("/d%d" % i)
        except OSError as e:
            assert e.errno == errno.EACCES  # a full root directory or no cluster: FR_DENIED
            break
    else:
        pytest.fail("the volume never filled")


def test_read_only_mount():
    disk, vfs = formatted()
    with vfs.open("/a.txt", "w") as f:
        f.write("a")
    vfs.mount(True, False)
    assert vfs.readonly
    assert oserror(vfs.open, "/b.txt", "w").args == (errno.EROFS, "/b.txt")
    assert oserror(vfs.mkdir, "/x").errno == errno.EROFS
    assert oserror(vfs.remove, "/a.txt").errno == errno.EROFS
    assert oserror(vfs.utime, "/a.txt", (0, 0)).errno == errno.EROFS
    with pytest.raises(OSError, match="Read-only filesystem"):
        vfs.label = "X"
    with vfs.open("/a.txt", "r") as f:
        assert f.read() == "a"
    vfs.mount(False, False)
    assert vfs.readonly  # for good, as MicroPython drops writeblocks


def test_unformatted_device_and_mount_with_mkfs():
    disk = RamDisk(128)
    vfs = storage.VfsFat(disk)  # no file system is no error yet
    assert oserror(vfs.stat, "/").errno == errno.ENODEV
    assert oserror(vfs.mount, False, False).errno == errno.ENODEV
    vfs.mount(False, True)
    with vfs.open("/new", "w") as f:
        f.write("made")
    assert storage.VfsFat(RamDisk(data=disk.data)).stat("/new")[6] == 4


def test_label_and_utime():
    disk, vfs = formatted()
    vfs.label = "data disk"
    assert vfs.label == "DATA DISK"
    with pytest.raises(OSError) as e:
        vfs.label = "bad*label"
    assert e.value.errno == errno.EINVAL
    with vfs.open("/f", "w"):
        pass
    t = 1700000000
    vfs.utime("/f", (t, t))
    assert abs(vfs.stat("/f")[8] - t) <= 1
    with pytest.raises(TypeError):
        vfs.utime("/f", 5)


# ---- the block-device protocol -------------------------------------------------------------------

def test_buffers_are_copies():
    """The device gets a bytearray of its own: keeping it, or changing it after the call,
    cannot reach into the volume's memory."""
    kept = []

    class Keeper(RamDisk):
        def readblocks(self, block, buf):
            super().readblocks(block, buf)
            kept.append(buf)

        def writeblocks(self, block, buf):
            super().writeblocks(block, buf)
            kept.append(buf)

    disk = Keeper(256)
    storage.VfsFat.mkfs(disk)
    vfs = storage.VfsFat(disk)
    with vfs.open("/a.txt", "w") as f:
        f.write("original")
    for buf in kept:
        buf[:] = bytes(len(buf))  # scribble over everything the device ever saw
    with vfs.open("/a.txt", "r") as f:
        assert f.read() == "original"


def test_device_exceptions_reach_the_caller():
    disk, vfs = formatted()
    with vfs.open("/a.txt", "w") as f:
        f.write("a")

    def broken(block, buf):
        raise ValueError("card removed")

    disk.readblocks = broken
    vfs2 = None
    with pytest.raises(ValueError, match="card removed"):
        vfs2 = storage.VfsFat(disk)
    assert vfs2 is None

    def resized(block, buf):
        buf[:] = b""

    disk.readblocks = resized
    with pytest.raises(ValueError, match="readblocks changed the size of its buffer"):
        storage.VfsFat(disk)


def test_device_busy_answer_and_old_protocol():
    class NotReady(RamDisk):
        def ioctl(self, op, arg):
            return 1 if op == 1 else super().ioctl(op, arg)

    disk, _ = formatted()
    busy = NotReady(data=disk.data)
    assert oserror(storage.VfsFat, busy).errno == errno.EBUSY

    class Old:
        """The old protocol: no ioctl, count() and sync()."""

        def __init__(self, data):
            self.data = bytearray(data)
            self.synced = 0

        def readblocks(self, block, buf):
            buf[:] = self.data[block * 512:block * 512 + len(buf)]

        def writeblocks(self, block, buf):
            self.data[block * 512:block * 512 + len(buf)] = buf

        def count(self):
            return len(self.data) // 512

        def sync(self):
            self.synced += 1

    old = Old(disk.data)
    vfs = storage.VfsFat(old)
    with vfs.open("/o.txt", "w") as f:
        f.write("old protocol")
        f.flush()
    assert old.synced >= 1
    assert storage.VfsFat(RamDisk(data=old.data)).stat("/o.txt")[6] == 12


def test_device_calling_back_into_its_volume():
    disk, vfs = formatted()
    seen = []

    def nosy():
        if not seen:
            try:
                vfs.stat("/n.txt")
            except OSError as e:
                seen.append(e.errno)

    disk.after_write = nosy
    with vfs.open("/n.txt", "w") as f:
        f.write("n")
    disk.after_write = None
    assert seen == [errno.EBUSY]
    assert vfs.stat("/n.txt")[6] == 1


@needs_tools
def test_keyboard_interrupt_inside_the_device(tmp_path):
    """Ctrl-C arriving while the device serves a FAT operation waits for the operation's end, for
    every block write of a run of appends: the volume is always consistent and holds every record
    whose write returned, and the interrupt comes right after."""
    record = b"r" * 2100 + b"\n"  # every append takes a new cluster
    writes = None
    k = 0  # a first run without an interrupt counts the writes
    while writes is None or k <= writes:
        disk, vfs = formatted(512)
        count = [0]

        def after_write(k=k, count=count):
            count[0] += 1
            if count[0] == k:
                _thread.interrupt_main()  # as the console does on Ctrl-C

        n = 0
        interrupted = False
        with vfs.open("/rec", "ab") as f:
            disk.after_write = after_write
            try:
                for _ in range(12):
                    f.write(record)
                    n += 1
            except KeyboardInterrupt:
                interrupted = True
            disk.after_write = None
        if writes is None:
            writes = count[0]
            assert writes > 30 and n == 12 and not interrupted  # several block writes per append
        else:
            assert interrupted
        fsck_clean(image_of(disk, tmp_path))
        with storage.VfsFat(RamDisk(data=disk.data)).open("/rec", "rb") as f:
            data = f.read()
        assert data == record * (len(data) // len(record)) and len(data) // len(record) in (n, n + 1)
        k += 1


# ---- storage.mount in the package (the host's tree at "/") -------------------------------------------

def test_mount_rules(tmp_path):
    disk, vfs = formatted()
    with vfs.open("/on_card.txt", "w") as f:
        f.write("card")
    (tmp_path / "afile").write_text("")
    point = str(tmp_path / "sd")
    with pytest.raises(RuntimeError, match="Mount point directory missing"):
        storage.mount(vfs, point)
    with pytest.raises(RuntimeError, match="Mount point directory missing"):
        storage.mount(vfs, str(tmp_path / "afile"))
    with pytest.raises(TypeError, match="can't convert 'int' object to str implicitly"):
        storage.mount(vfs, 1)
    (tmp_path / "sd").mkdir()
    storage.mount(vfs, point, readonly=True)
    try:
        assert cos.listdir(point) == ["on_card.txt"]
        assert cos.stat(point + "/on_card.txt")[6] == 4
        assert storage.getmount(point) is vfs
        assert oserror(storage.mount, storage.VfsFat(disk), point).errno == errno.EPERM
        assert oserror(cos.mkdir, point + "/x").errno == errno.EROFS
        assert oserror(cos.rename, point + "/on_card.txt", str(tmp_path / "moved")).errno == errno.EPERM
        assert oserror(storage.remount, point).errno == errno.EINVAL  # only "/" is remounted
    finally:
        storage.umount(point)
    assert oserror(storage.umount, point).errno == errno.EINVAL
    assert oserror(storage.getmount, point).errno == errno.EINVAL
    assert cos.listdir(point) == []
