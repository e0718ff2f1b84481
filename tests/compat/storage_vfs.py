# The unix port's virtual file system with a FAT volume on a RAM block device, as CircuitPython's
# own tests use it (tests/circuitpython/getenv.py formats a RAM disk and mounts it at "/"):
# os.mount/os.umount, the os functions and open() through the mount table, settings.toml read
# from the mounted volume, and the errors CircuitPython gives. Expected output: CircuitPython
# 9.2.9's unix build semantics (extmod/vfs.c, extmod/vfs_fat.c, shared-module/os/getenv.c).
import os


class RAMBlockDevice:
    def __init__(self, blocks):
        self.data = bytearray(blocks * 512)

    def readblocks(self, block, buf):
        start = block * 512
        buf[:] = self.data[start : start + len(buf)]

    def writeblocks(self, block, buf):
        start = block * 512
        self.data[start : start + len(buf)] = buf

    def ioctl(self, op, arg):
        if op == 4:  # block count
            return len(self.data) // 512
        if op == 5:  # block size
            return 512


def attempt(f, *args):
    try:
        r = f(*args)
        print("ok" if r is None else r)
    except OSError as e:
        print("OSError", e.errno)
    except Exception as e:
        print(type(e).__name__, e)


bdev = RAMBlockDevice(128)
os.VfsFat.mkfs(bdev)
vfs = os.VfsFat(bdev)

os.umount("/")
print(os.listdir("/"), os.getcwd())
attempt(open, "/nothing.txt")
os.mount(vfs, "/")
print(os.listdir("/"), os.getcwd())

with open("/settings.toml", "wb") as f:
    f.write(b'name = "ram disk"\ncount = 0x10\nquoted_int = "7"\nbad = "x\n')
print(os.getenv("name"), os.getenv("count"), os.getenv("missing", "default"))
attempt(os.getenv, "bad")
print(getenv_int("count"), getenv_str("name"))
print(getenv_int("quoted_int"))
print(getenv_str("count"))

os.mkdir("/lib")
os.chdir("/lib")
print(os.getcwd())
with open("mod.txt", "w") as f:
    print(f.write("relative path"))
print(os.listdir(), os.listdir("/lib"), os.listdir(".."))
os.chdir("..")
print(os.getcwd(), os.stat("/lib")[0], os.stat("/lib/mod.txt")[0], os.stat("/lib/mod.txt")[6])
os.rename("/lib/mod.txt", "/moved.txt")
print(sorted(os.listdir("/")))
attempt(os.remove, "/lib")
attempt(os.rmdir, "/moved.txt")
attempt(os.rmdir, "/nope")
attempt(os.mkdir, "/")
attempt(os.mkdir, "/lib")
attempt(os.rename, "/moved.txt", "/nowhere/x.txt")
attempt(open, "/moved.txt", "rw")
print(os.statvfs("/")[0], os.statvfs("/")[9])

os.umount(vfs)
print(os.listdir("/"))
os.mount(vfs, "/ram")
print(os.listdir("/"), os.listdir("/ram"))
attempt(os.mount, vfs, "/ram")
with open("/ram/moved.txt") as f:
    print(f.read())
attempt(os.rename, "/ram/moved.txt", "/elsewhere.txt")
os.umount("/ram")
attempt(os.umount, "/ram")
attempt(os.stat, "/ram/moved.txt")
