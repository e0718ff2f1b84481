"""usb_cdc under `circuit9 run`: the console Serial is the board's console, the data Serial a
pseudo-terminal a host program talks to, enable()/disable() only in boot.py."""
import os
import re
import select
import time

from conftest import TIMEOUT

DATA_BOOT = "import usb_cdc\nusb_cdc.enable(console=True, data=True)\n"


def data_pty(b):
    """Waits for the announcement of usb_cdc.data on stderr and opens the terminal's other end."""
    end = time.monotonic() + TIMEOUT
    seen = b""
    while time.monotonic() < end:
        r, _, _ = select.select([b.proc.stderr], [], [], 0.5)
        if r:
            line = b.proc.stderr.readline()
            seen += line
            m = re.search(rb"circuit9: usb_cdc\.data on (\S+)", line)
            if m:
                # The board made the terminal raw; tty.setraw() would flush what it already sent.
                return os.open(m.group(1), os.O_RDWR | os.O_NOCTTY)
    raise AssertionError("no usb_cdc.data announcement on stderr: %r" % seen)


def read_until(fd, what):
    got = b""
    end = time.monotonic() + TIMEOUT
    while what not in got:
        assert time.monotonic() < end, got
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            got += os.read(fd, 4096)
    return got


def test_data_channel_both_ways(board, drive):
    (drive / "boot.py").write_text(DATA_BOOT)
    (drive / "code.py").write_text(
        "import usb_cdc\n"
        "d = usb_cdc.data\n"
        "print('console', usb_cdc.console is not None, 'connected', d.connected)\n"
        "print('wrote', d.write(b'ping from board\\n'))\n"
        "line = d.readline()\n"
        "print('got', line)\n"
        "print('wrote', d.write(b'xxabcdefyy', 2, 6), d.write('text\\n'))\n"
    )
    b = board(drive, "--runs", "1")
    fd = data_pty(b)
    try:
        assert b"ping from board\n" in read_until(fd, b"ping from board\n")
        os.write(fd, b"pong from host\n")
        b.expect("got b'pong from host\\n'")
        assert read_until(fd, b"text\n").endswith(b"abcdeftext\n")
        b.expect("wrote 6 5")
        assert b.wait() == 0
        assert "console True connected True" in b.text
        assert "wrote 16" in b.text
    finally:
        os.close(fd)


def test_data_stream_forms(board, drive):
    (drive / "boot.py").write_text(DATA_BOOT)
    (drive / "code.py").write_text(
        "import usb_cdc\n"
        "d = usb_cdc.data\n"
        "d.write(b'ready\\n')\n"
        "buf = bytearray(6)\n"
        "print('n', d.readinto(buf, 2), bytes(buf))\n"  # 2 of 'abcdefghij'
        "print('n', d.readinto(buf), bytes(buf))\n"  # the next 6
        "print('r', d.read(2))\n"  # 'ij'
        "print('l', d.readline(3), d.readline())\n"  # 'one' then '\\n'
        "d.write(b'more\\n')\n"
        "while d.in_waiting < 7:\n"
        "    pass\n"
        "d.timeout = 0\n"
        "print('ls', d.readlines(), d.timeout, d.in_waiting)\n"
        "d.timeout = 0.05\n"
        "print('t', d.read(4), d.timeout)\n"
        "d.timeout = None\n"
        "print('none', d.timeout, d.write_timeout)\n"
    )
    b = board(drive, "--runs", "1")
    fd = data_pty(b)
    try:
        read_until(fd, b"ready\n")
        os.write(fd, b"abcdefghijone\n")
        b.expect("n 6 b'cdefgh'")
        read_until(fd, b"more\n")
        os.write(fd, b"a\nb\ncc\n")
        assert b.wait() == 0
        t = b.text
        assert "n 2 b'ab\\x00\\x00\\x00\\x00'" in t
        assert "n 6 b'cdefgh'" in t
        assert "r b'ij'" in t
        assert "l b'one' b'\\n'" in t
        assert "ls [b'a\\n', b'b\\n', b'cc\\n'] 0.0 0" in t
        assert "t b'' 0.05" in t
        assert "none None None" in t
    finally:
        os.close(fd)


def test_console_serial_is_the_console(board, drive):
    (drive / "code.py").write_text(
        "import usb_cdc\n"
        "c = usb_cdc.console\n"
        "print('data', usb_cdc.data)\n"
        "c.write(b'raw console bytes|')\n"
        "print('in', c.in_waiting)\n"
        "print('line', c.readline())\n"
    )
    b = board(drive, "--runs", "1")
    b.expect("raw console bytes|")
    b.expect("in 0")
    b.send("typed\n")
    b.expect("line b'typed\\n'")
    assert b.wait() == 0
    assert "data None" in b.text


def test_enable_only_in_boot_py(board, drive):
    (drive / "code.py").write_text(
        "import usb_cdc\n"
        "for f in (lambda: usb_cdc.enable(data=True), usb_cdc.disable, usb_cdc.Serial,\n"
        "          lambda: usb_cdc.enable(True)):\n"
        "    try:\n"
        "        f()\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    b = board(drive, "--runs", "1")
    assert b.wait() == 0
    t = b.text
    assert t.count("RuntimeError Cannot change USB devices now") == 2
    assert "TypeError cannot create 'Serial' instances" in t
    assert "TypeError extra positional arguments given" in t


def test_disable_in_boot_py(board, drive):
    (drive / "boot.py").write_text("import usb_cdc\nusb_cdc.disable()\nprint('boot', usb_cdc.console, usb_cdc.data)\n")
    (drive / "code.py").write_text("import usb_cdc\nprint('code', usb_cdc.console, usb_cdc.data)\n")
    b = board(drive, "--runs", "1")
    assert b.wait() == 0
    assert "code None None" in b.text
    assert "boot None None" in (drive / "boot_out.txt").read_text()


def test_board_without_usb_cdc(board, drive):
    (drive / "code.py").write_text("import usb_cdc\n")
    b = board(drive, "--board", "feather_esp32c6", "--runs", "1")
    assert b.wait() == 1
    assert "ImportError: no module named 'usb_cdc'" in b.text


def test_data_is_pollable(board, drive):
    """select.poll() (Adafruit's asyncio waits this way) sees bytes arrive on usb_cdc.data."""
    (drive / "boot.py").write_text(DATA_BOOT)
    (drive / "code.py").write_text(
        "import select, usb_cdc\n"
        "d = usb_cdc.data\n"
        "print(repr(d), d.ioctl(3, 1 | 4))\n"
        "p = select.poll()\n"
        "p.register(d, select.POLLIN)\n"
        "d.write(b'waiting\\n')\n"
        "print('ready', p.poll(), d.in_waiting > 0, d.read(5))\n"
    )
    b = board(drive, "--runs", "1")
    fd = data_pty(b)
    try:
        read_until(fd, b"waiting\n")
        os.write(fd, b"12345")
        assert b.wait() == 0
        # before anything moved: nothing to read (no POLLIN), nothing queued (POLLOUT)
        assert "<Serial> 4\n" in b.text
        assert re.search(r"ready \[\(<Serial>, 1\)\] True b'12345'", b.text), b.text
    finally:
        os.close(fd)
