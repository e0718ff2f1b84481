# os.getenv() reading /settings.toml from a FAT volume on a RAM block device mounted at "/", the
# way CircuitPython's own tests/circuitpython/getenv.py runs on its unix build, with settings of
# our own that exercise the same rules: comments, bare integers, escapes, long values, a comment
# after a value, indented keys, a [table] hiding what follows, CRLF line ends, no newline at the
# end, and the malformed values CircuitPython rejects. Expected output: CircuitPython 9.2.9's
# shared-module/os/getenv.c and the unix coverage build's getenv_int().
import os

os.umount("/")


class RamDisk:
    def __init__(self, blocks):
        self.blocks = [bytes(512)] * blocks

    def readblocks(self, block, buf):
        for i in range(len(buf) // 512):
            buf[i * 512 : (i + 1) * 512] = self.blocks[block + i]

    def writeblocks(self, block, buf):
        for i in range(len(buf) // 512):
            self.blocks[block + i] = bytes(buf[i * 512 : (i + 1) * 512])

    def ioctl(self, op, arg):
        if op == 4:
            return len(self.blocks)
        if op == 5:
            return 512


disk = RamDisk(80)
os.VfsFat.mkfs(disk)
os.mount(os.VfsFat(disk), "/")

settings = b"""
# settings for a test
greeting = "good morning"
answer = 42
newline= "\\n"
accented ="\\u00e9t\\u00e9"
astral = "\\U0001F600!"
odd = "\\f\\"\\\\"
controls = "\\t\\r\\b"
short = "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
long = "%s"
 spaced = "with a comment" # comment
  hexa = 0x2a # comment
zero = 0
[table]
hidden = "not at the root"
""" % (b"z" * 2000)

names = ["greeting", "answer", "newline", "accented", "astral", "odd", "controls", "short", "long",
         "spaced", "hexa", "zero", "hidden", "absent"]


def show(key, content):
    with open("/settings.toml", "wb") as f:
        f.write(content)
    try:
        v = os.getenv(key)
    except Exception as e:
        print(key, str(e))
        return
    if isinstance(v, str) and len(v) > 80:
        print(key, len(v), "x", repr(v[0]))
    else:
        print(key, repr(v))


show("greeting", b"")
for name in names:
    show(name, settings)
crlf = settings.replace(b"\n", b"\r\n")
for name in names:
    show(name, crlf)

show("N", b"N = 17\r\n")
print(getenv_int("N"))
show("last", b"last=5")
for bad in [b'key = "\n', b'key = """\n', b"key =\n", b'key="', b"key = bare words\n"]:
    show("key", bad)
