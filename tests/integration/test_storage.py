"""Storage on a running board: SD cards in the virtual board's slot (`circuit9 run --sd`) through
sdcardio and through a driver written in Python, and a board running from a drive image
(`circuit9 run --drive`). Cards are made by mkfs.fat and filled by mtools; what the program
writes is read back by mtools byte for byte, and every image must pass fsck.fat afterwards, also
when the program is stopped with Ctrl-C in the middle of its writes."""
import os
import re
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))
EXE = os.path.join(BUILD, "circuit9")
PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
ENV = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8", MTOOLS_SKIP_CHECK="1", PATH=PATH)
TOOLS = all(shutil.which(t, path=PATH) for t in ("fsck.fat", "mkfs.fat", "mcopy", "mtype", "mdir", "mmd"))
pytestmark = pytest.mark.skipif(not TOOLS, reason="needs dosfstools and mtools (tools/install-deps.sh installs them)")

PRESS_ANY_KEY = "\nPress any key to enter the REPL. Use CTRL-D to reload.\n"
LONG_NAME = "A long name, with spaces and caf\u00e9.txt"
RECORD = 4096  # bytes per record: at least a cluster of the 16 MiB card
BIG = bytes((i * 7 + i // 251) & 0xFF for i in range(70000))


def run(*cmd, **kw):
    return subprocess.run(cmd, env=ENV, capture_output=True, check=kw.pop("check", True), **kw)


def make_card(path, kib):
    """A card as a desktop makes it: mkfs.fat over a file, files copied in with mtools."""
    run("mkfs.fat", "-C", str(path), str(kib))
    src = path.parent / "src"
    src.mkdir(exist_ok=True)
    (src / "hello.txt").write_bytes(b"hello from mtools\n")
    (src / "big.bin").write_bytes(BIG)
    (src / "long.txt").write_text("long name\n")
    run("mcopy", "-i", str(path), str(src / "hello.txt"), "::hello.txt")
    run("mmd", "-i", str(path), "::data")
    run("mcopy", "-i", str(path), str(src / "big.bin"), "::data/big.bin")
    run("mcopy", "-i", str(path), str(src / "long.txt"), "::" + LONG_NAME)


def fsck_clean(image, offset=0):
    """fsck.fat -n on the volume (a partition is copied out first): no complaint at all."""
    if offset:
        part = image.parent / (image.name + ".part")
        with open(image, "rb") as f, open(part, "wb") as out:
            f.seek(offset)
            out.write(f.read())
        image = part
    r = run("fsck.fat", "-n", str(image), check=False)
    out = r.stdout.decode() + r.stderr.decode()
    assert r.returncode == 0, out
    return out


def mtype(image, name, offset=0):
    return run("mtype", "-i", "%s@@%d" % (image, offset), "::" + name).stdout


MOUNT_SDCARDIO = """
import board, sdcardio, storage
card = sdcardio.SDCard(board.SPI(), board.CARD_CS)
"""
MOUNT_PYTHON = """
import board, storage, sd_spi_driver
card = sd_spi_driver.SDCard(board.SPI(), board.CARD_CS)
"""
DRIVERS = {"sdcardio": MOUNT_SDCARDIO, "python": MOUNT_PYTHON}


def card_program(drive, driver, body):
    (drive / "sd").mkdir(exist_ok=True)
    (drive / "lib").mkdir(exist_ok=True)
    shutil.copy(os.path.join(HERE, "sd_spi_driver.py"), drive / "lib" / "sd_spi_driver.py")
    (drive / "code.py").write_text(DRIVERS[driver] + "vfs = storage.VfsFat(card)\nstorage.mount(vfs, '/sd')\n" + body)


# A 32 MiB image is an SDHC card (whole 512 KiB units); 3000 KiB a standard-capacity one.
@pytest.mark.parametrize("driver", ["sdcardio", "python"])
@pytest.mark.parametrize("kib", [32768, 3000])
def test_card_read_and_written(drive, board, tmp_path, driver, kib):
    card = tmp_path / "card.img"
    make_card(card, kib)
    card_program(drive, driver, """
import os
print(sorted(os.listdir('/sd')))
print(open('/sd/hello.txt').read().strip())
data = open('/sd/data/big.bin', 'rb').read()
print(len(data), sum(data) % 65521)
print(open('/sd/LONG').read().strip())
os.mkdir('/sd/logs')
with open('/sd/logs/run.txt', 'w') as f:
    for i in range(300):
        f.write('line %d\\n' % i)
with open('/sd/copy.bin', 'wb') as f:
    f.write(data[:40000])
    f.write(data[40000:])
os.rename('/sd/hello.txt', '/sd/logs/hello.txt')
os.remove('/sd/LONG')
print(sorted(os.listdir('/sd')), os.stat('/sd/copy.bin')[6])
""".replace("LONG", LONG_NAME))
    b = board(drive, "--sd", str(card), "--runs", "1")
    b.expect("code.py output:\n")
    out = b.expect("\nCode done running.")
    assert out.splitlines() == [
        str(sorted([LONG_NAME, "data", "hello.txt"])),
        "hello from mtools",
        "%d %d" % (len(BIG), sum(BIG) % 65521),
        "long name",
        "['copy.bin', 'data', 'logs'] 70000",
    ]
    assert b.wait() == 0
    fsck_clean(card)
    assert mtype(card, "logs/run.txt") == "".join("line %d\n" % i for i in range(300)).encode()
    assert mtype(card, "copy.bin") == BIG
    assert mtype(card, "logs/hello.txt") == b"hello from mtools\n"
    listing = run("mdir", "-b", "-i", str(card), "::").stdout.decode()
    assert "hello.txt" not in listing and LONG_NAME not in listing


@pytest.mark.parametrize("driver", ["sdcardio", "python"])
def test_ctrl_c_while_writing_to_the_card(drive, board, tmp_path, driver):
    """Ctrl-C lands while the program writes record after record: the card passes fsck.fat and
    holds every record the program reported written. Each record takes a new cluster, so most
    of the time goes into the FAT operations that allocate and link one."""
    card = tmp_path / "card.img"
    make_card(card, 16384)
    card_program(drive, driver, """
n = 0
with open('/sd/records.txt', 'a') as f:
    while True:
        f.write('record %06d ' % n + 'x' * (RECORD - 15) + '\\n')
        if n % 25 == 0:
            print('wrote', n)
        n += 1
""".replace("RECORD", str(RECORD)))
    b = board(drive, "--sd", str(card), "--runs", "1")
    b.expect("wrote 50\n")
    b.send("\x03")
    b.expect("KeyboardInterrupt: \n\nCode done running.\n")
    assert b.wait() == 1
    reported = max(int(n) for n in re.findall(r"wrote (\d+)", b.text))
    fsck_clean(card)
    lines = mtype(card, "records.txt").decode().splitlines()
    assert len(lines) >= reported + 1
    assert lines == ["record %06d " % i + "x" * (RECORD - 15) for i in range(len(lines))]


def test_sd_errors(drive, board, tmp_path):
    (drive / "code.py").write_text("print('ran')\n")
    small = tmp_path / "small.img"
    small.write_bytes(bytes(256 * 1024))
    for args, message in [(["--sd", str(tmp_path / "missing.img")], "missing.img: no such file"),
                          (["--sd", str(small)], "small.img: too small for a card (512 KiB at least)"),
                          (["--sd", str(small), "--board", "tdisplay_s3"], "the board has no SD card slot")]:
        b = board(drive, "--runs", "1", *args)
        assert b.wait() == 2
        assert message in b.proc.stderr.read().decode()


def test_empty_slot_and_unformatted_card(drive, board, tmp_path):
    blank = tmp_path / "blank.img"
    blank.write_bytes(bytes(1024 * 1024))
    (drive / "sd").mkdir()
    (drive / "code.py").write_text("""
import board, sdcardio, storage
def attempt(f, *a):
    try:
        r = f(*a)
        print('ok', r)
        return r
    except Exception as e:
        print(type(e).__name__, e)
spi = board.SPI()
card = attempt(sdcardio.SDCard, spi, board.CARD_CS)
if card:
    vfs = storage.VfsFat(card)
    attempt(storage.mount, vfs, '/sd')
    storage.VfsFat.mkfs(card)
    vfs = storage.VfsFat(card)
    attempt(storage.mount, vfs, '/sd')
    with open('/sd/new.txt', 'w') as f:
        f.write('on a card formatted by the board')
    print(vfs.label == '', vfs.readonly)
    card.deinit()
    attempt(card.count)
    attempt(vfs.mkdir, '/after_deinit')
    card = sdcardio.SDCard(spi, board.CARD_CS)
    vfs = storage.VfsFat(card)
    spi.deinit()
    attempt(vfs.mkdir, '/after_spi_deinit')
""")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nOSError no SD card\n")
    b.wait()
    b = board(drive, "--runs", "1", "--sd", str(blank))
    b.expect("code.py output:\n")
    out = b.expect("\nCode done running.").splitlines()
    assert out[0].startswith("ok <")
    assert out[1:] == ["OSError [Errno 19] No such device", "ok None", "True False",
                       "ValueError Object has been deinitialized and can no longer be used. Create a new object.",
                       "OSError [Errno 9] Bad file descriptor", "OSError [Errno 9] Bad file descriptor"]
    assert b.wait() == 0
    fsck_clean(blank)
    assert mtype(blank, "new.txt") == b"on a card formatted by the board"


def make_drive_image(tmp_path, files, size="1M"):
    src = tmp_path / "src"
    for name, text in files.items():
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        (src / name).write_text(text)
    image = tmp_path / "circuitpy.img"
    run(EXE, "image", str(src), "-o", str(image), "--size", size)
    return image


OFFSET = 512  # the partition starts at block 1, after the MBR


def test_board_runs_from_a_drive_image(board, tmp_path):
    image = make_drive_image(tmp_path, {
        "boot.py": "import storage\nstorage.remount('/', readonly=False)\nprint('boot saw', 'code.py' in __import__('os').listdir('/'))\n",
        "code.py": "import os, helper\nprint(helper.GREETING, os.getenv('NAME'))\n"
                   "with open('/log.txt', 'a') as f:\n    f.write('run\\n')\n"
                   "os.mkdir('/made')\nprint(sorted(os.listdir('/')))\n",
        "lib/helper.py": "GREETING = 'hello from lib'\n",
        "settings.toml": 'NAME = "image"\n',
    })
    b = board(tmp_path / "unused", "--drive", str(image), "--runs", "1")
    b.expect("code.py output:\nhello from lib image\n"
             "['boot.py', 'boot_out.txt', 'code.py', 'lib', 'log.txt', 'made', 'settings.toml']\n")
    assert b.wait() == 0
    fsck_clean(image, OFFSET)
    assert mtype(image, "log.txt", OFFSET) == b"run\n"
    boot_out = mtype(image, "boot_out.txt", OFFSET).decode()
    assert boot_out.startswith("Adafruit CircuitPython 9.2.9 on 2025-03-11; Adafruit Camera with ESP32S3\n")
    assert boot_out.endswith("boot.py output:\nboot saw True\n")
    assert "made" in run("mdir", "-b", "-i", "%s@@%d" % (image, OFFSET), "::").stdout.decode()


def test_drive_image_read_only_until_remount(board, tmp_path):
    image = make_drive_image(tmp_path, {
        "code.py": "try:\n    open('/x.txt', 'w')\nexcept OSError as e:\n    print(e.errno)\n"
                   "import storage\nprint(storage.getmount('/').label, storage.getmount('/').readonly)\n",
    })
    b = board(tmp_path / "unused", "--drive", str(image), "--runs", "1")
    b.expect("code.py output:\n30\nCIRCUITPY True\n")
    assert b.wait() == 0
    fsck_clean(image, OFFSET)


def test_ctrl_c_while_writing_to_the_drive_image(board, tmp_path):
    image = make_drive_image(tmp_path, {
        "boot.py": "import storage\nstorage.remount('/', readonly=False)\n",
        "code.py": "n = 0\nwhile True:\n    with open('/data.txt', 'a') as f:\n"
                   "        f.write('entry %05d\\n' % n)\n    print('saved', n)\n    n += 1\n",
    })
    b = board(tmp_path / "unused", "--drive", str(image), "--runs", "1")
    b.expect("saved 300\n")
    b.send("\x03")
    b.expect("KeyboardInterrupt: \n\nCode done running.\n")
    assert b.wait() == 1
    reported = max(int(n) for n in re.findall(r"saved (\d+)", b.text))
    fsck_clean(image, OFFSET)
    lines = mtype(image, "data.txt", OFFSET).decode().splitlines()
    assert len(lines) >= reported + 1
    assert lines == ["entry %05d" % i for i in range(len(lines))]


def test_erase_filesystem_formats_the_drive_image(board, tmp_path):
    image = make_drive_image(tmp_path, {
        "code.py": "import storage\nprint('erasing')\nstorage.erase_filesystem()\n",
        "lib/old.py": "",
    })
    # the reset ends a run (--runs counts it); the second runs the fresh drive's code.py
    b = board(tmp_path / "unused", "--drive", str(image), "--runs", "2")
    b.expect("erasing\n")
    b.expect("code.py output:\nHello World!\n")
    assert b.wait() == 0
    fsck_clean(image, OFFSET)
    names = run("mdir", "-a", "-b", "-i", "%s@@%d" % (image, OFFSET), "::").stdout.decode().split()
    assert sorted(n.rstrip("/").split("/")[-1] for n in names) == sorted(
        [".Trash-1000", ".Trashes", ".fseventsd", ".metadata_never_index", "boot_out.txt", "code.py", "lib", "sd",
         "settings.toml"])
    assert mtype(image, "code.py", OFFSET) == b'print("Hello World!")\n'
    assert run("mlabel", "-s", "-i", "%s@@%d" % (image, OFFSET), "::").stdout.decode().strip() == \
        "Volume label is CIRCUITPY"


def test_drive_image_errors(board, tmp_path):
    blank = tmp_path / "blank.img"
    blank.write_bytes(bytes(64 * 1024))
    for args, message in [(["--drive", str(tmp_path / "none.img")], "none.img: no such file"),
                          (["--drive", str(blank)], "blank.img holds no FAT volume")]:
        b = board(tmp_path / "unused", "--runs", "1", *args)
        assert b.wait() == 2
        assert message in b.proc.stderr.read().decode()


def test_folder_drive_cannot_be_erased(drive, board):
    (drive / "code.py").write_text("import storage\ntry:\n    storage.erase_filesystem()\n"
                                   "except NotImplementedError as e:\n    print(e)\n")
    b = board(drive, "--runs", "1")
    b.expect("code.py output:\nerase_filesystem() formats a drive image (circuit9 run --drive), not a folder\n")
    assert b.wait() == 0
    assert (drive / "code.py").exists()
