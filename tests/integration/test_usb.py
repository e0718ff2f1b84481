"""usb.core, usb.util and usb_host on `circuit9 run --board feather_rp2040_usb_host --usb ...`, as a
user sees them on the console. Expected values come from outside the code under test: device and
configuration descriptors are decoded here by the USB 2.0 layouts (chapter 9), keyboard reports by
the HID Usage Tables' keyboard page, MIDI packets by the USB MIDI 1.0 code index numbers, real
devices' descriptors from tests/fixtures/usb/devices, the MIDI file written here; messages are
CircuitPython 9.2.9's."""
import os
import struct
import time

import pytest
from conftest import ROOT

BOARD = ("--board", "feather_rp2040_usb_host")
DONE = "\n\nCode done running.\n"
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "usb")


def run_code(board, drive, code, *usb, extra=()):
    (drive / "code.py").write_text(code)
    args = list(BOARD) + ["--runs", "1"] + list(extra)
    for u in usb:
        args += ["--usb", u]
    b = board(drive, *args)
    status = b.wait()
    text = b.text
    start = text.index("code.py output:\n") + len("code.py output:\n")
    return status, text[start:text.index(DONE, start)]


def parse_device(b):
    """USB 2.0 table 9-8."""
    f = struct.unpack("<BBHBBBBHHHBBBB", bytes(b))
    keys = ("bLength bDescriptorType bcdUSB bDeviceClass bDeviceSubClass bDeviceProtocol bMaxPacketSize0 "
            "idVendor idProduct bcdDevice iManufacturer iProduct iSerialNumber bNumConfigurations").split()
    return dict(zip(keys, f))


def interfaces(config):
    """(class, subclass, protocol) of each interface descriptor (table 9-12) of a configuration."""
    out, i = [], 0
    total = config[2] | config[3] << 8
    assert total == len(config)
    while i < len(config):
        if config[i + 1] == 4:
            out.append(tuple(config[i + 5:i + 8]))
        i += config[i]
    return out


def string(b):
    """A string descriptor (table 9-16) decoded as UTF-16LE, None when empty or missing."""
    if not b or b[0] <= 2:
        return None
    return bytes(b[2:b[0]]).decode("utf-16-le")


ENUMERATE = """
import usb.core, usb.util
def raw(dev, t, i, lang=0, n=255):
    b = bytearray(n)
    try:
        dev.ctrl_transfer(0x80, 6, t << 8 | i, lang, b)
    except usb.core.USBError:
        return None
    return list(b)
for dev in usb.core.find(find_all=True):
    d = raw(dev, 1, 0, n=18)
    c = raw(dev, 2, 0, n=9)
    c = raw(dev, 2, 0, n=c[2] | c[3] << 8)
    lang = raw(dev, 3, 0, n=4)
    lang = lang[2] | lang[3] << 8 if lang else None
    strings = [raw(dev, 3, d[i], lang) if d[i] and lang is not None else None for i in (14, 15, 16)]
    print(repr((dev.idVendor, dev.idProduct, dev.manufacturer, dev.product, dev.serial_number, dev.speed,
                dev.bus, dev.port_numbers, dev.is_kernel_driver_active(0), d, c, strings)))
"""

MODELS = [  # (idVendor, idProduct, product, serial, speed, interfaces): docs/usb.md's virtual devices
    (0x1209, 0x0001, "Virtual Keyboard", None, 1, [(3, 1, 1)]),
    (0x1209, 0x0002, "Virtual Mouse", None, 1, [(3, 1, 2)]),
    (0x1209, 0x0003, "Virtual Gamepad", None, 2, [(3, 0, 0)]),
    (0x1209, 0x0004, "Virtual MIDI", None, 2, [(1, 1, 0), (1, 3, 0)]),
    (0x1209, 0x0005, "Virtual Serial", "C9-0001", 2, [(2, 2, 1), (10, 0, 0)]),
]


def test_every_model_enumerates_with_its_strings(drive, board):
    status, out = run_code(board, drive, ENUMERATE, "keyboard", "mouse", "gamepad", "midi", "cdc")
    assert status == 0, out
    rows = [eval(line) for line in out.splitlines()]
    # TinyUSB gives devices the low addresses and hubs the ones above: the hub comes last.
    assert len(rows) == 6
    for port, (row, model) in enumerate(zip(rows, MODELS), start=1):
        vid, pid, man, prod, serial, speed, bus, ports, active, d, c, strings = row
        dd = parse_device(d)
        assert (vid, pid) == (dd["idVendor"], dd["idProduct"]) == model[:2]
        assert (man, prod, serial) == tuple(string(s) for s in strings)
        assert (man, prod, serial) == ("circuit9", model[2], model[3])
        assert speed == model[4]
        assert bus == 1  # the RP2040's PIO port is TinyUSB's root port 1
        assert ports == (port,)  # behind the hub --usb puts in for more than one device
        assert active == (pid == 1)  # only the keyboard workflow's keyboard has a "kernel driver"
        assert interfaces(c) == model[5]
    hub = rows[5]
    assert parse_device(hub[9])["bDeviceClass"] == 9 and hub[7] is None and hub[8] is False
    assert interfaces(hub[10]) == [(9, 0, 0)]


def read_descset(path):
    """tests/fixtures/usb/devices/*.descset: records of type, index, wIndex, length, bytes."""
    data, out, i = open(path, "rb").read(), {}, 0
    while i < len(data):
        t, idx, windex, n = struct.unpack_from("<BBHH", data, i)
        out[(t, idx, windex)] = data[i + 6:i + 6 + n]
        i += 6 + n
    return out


@pytest.mark.parametrize("name", ["holtek_keyboard_04d9_1603", "yamaha_motif_rack_es_0499_103c",
                                  "canon_sx200_04a9_31c0", "yubikey_1050_0120"])
def test_real_devices_descriptors(drive, board, name):
    path = os.path.join(FIXTURES, "devices", name + ".descset")
    recs = read_descset(path)
    status, out = run_code(board, drive, ENUMERATE, "raw:" + path)
    assert status == 0, out
    (row,) = [eval(line) for line in out.splitlines()]
    dev = recs[(1, 0, 0)]
    assert bytes(row[9]) == dev
    assert bytes(row[10]) == recs[(2, 0, 0)][:len(row[10])]
    want = parse_device(dev)
    assert (row[0], row[1]) == (want["idVendor"], want["idProduct"])

    def want_string(i):
        if (3, 0, 0) not in recs:
            return None  # no languages: no strings (usb.core gives None)
        for (t, idx, _), b in recs.items():
            if t == 3 and idx == i and i:
                return string(b)
        return None

    assert (row[2], row[3], row[4]) == tuple(want_string(want[k]) for k in ("iManufacturer", "iProduct",
                                                                           "iSerialNumber"))


# HID Usage Tables 1.12, keyboard page (0x07), US layout: usages 0x04..0x38.
PLAIN = "abcdefghijklmnopqrstuvwxyz1234567890\n\x1b\b\t -=[]\\#;'`,./"
SHIFTED = "ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()\n\x1b\b\t _+{}|~:\"~<>?"


def decode_reports(reports):
    text = ""
    for r in reports:
        if r[2]:
            assert 4 <= r[2] <= 0x38 and not any(r[3:])
            text += (SHIFTED if r[0] & 0x22 else PLAIN)[r[2] - 4]
    return text


READ_KEYBOARD = """
import array, usb.core
kbd = usb.core.find(idVendor=0x1209, idProduct=0x0001)
print(kbd.is_kernel_driver_active(0))
kbd.detach_kernel_driver(0)
print(kbd.is_kernel_driver_active(0))
kbd.set_configuration()
buf = array.array("B", [0] * 8)
while True:
    try:
        n = kbd.read(0x81, buf, timeout=300)
    except usb.core.USBTimeoutError:
        break
    print(n, list(buf))
"""


def test_keyboard_boot_reports(drive, board):
    text = "Hello, World!\tcircuit9 ~ 42\n"
    status, out = run_code(board, drive, READ_KEYBOARD, "keyboard:type=" + text.replace("\n", "\\n").replace(
        "\t", "\\t"))
    assert status == 0, out
    lines = out.splitlines()
    assert lines[:2] == ["True", "False"]
    reports = []
    for line in lines[2:]:
        n, r = line.split(" ", 1)
        assert n == "8"
        reports.append(eval(r))
    # a press and a release report for each character
    assert len(reports) == 2 * len(text)
    assert all(r == [0] * 8 for r in reports[1::2])
    assert decode_reports(reports) == text


def test_keyboard_workflow_is_console_input(drive, board):
    code = "print(usb_kbd_active())\nprint(repr(input('name? ')))\n"
    code = "import usb.core\ndef usb_kbd_active():\n    return usb.core.find().is_kernel_driver_active(0)\n" + code
    status, out = run_code(board, drive, code, "keyboard:start=plug:type=Ada Lovelace\\n")
    assert status == 0, out
    # CircuitPython's key map sends CR for Enter; the console's line ends there
    assert out.splitlines() == ["True", "name? Ada Lovelace", "'Ada Lovelace'"]


def vlq(n):
    out = [n & 0x7F]
    n >>= 7
    while n:
        out.insert(0, 0x80 | (n & 0x7F))
        n >>= 7
    return bytes(out)


def smf(events, tpq=96, tempo=250000):
    """A format 0 Standard MIDI File: a tempo, then (delta ticks, message bytes) events."""
    trk = b"\x00\xff\x51\x03" + tempo.to_bytes(3, "big")
    for dt, msg in events:
        if msg[0] == 0xF0:  # a sysex event carries its length after F0
            msg = [0xF0] + list(vlq(len(msg) - 1)) + msg[1:]
        trk += vlq(dt) + bytes(msg)
    trk += b"\x00\xff\x2f\x00"
    return b"MThd" + struct.pack(">IHHH", 6, 0, 1, tpq) + b"MTrk" + struct.pack(">I", len(trk)) + trk


# USB MIDI 1.0 table 4-1: code index number by status, and the message length it carries
CIN = {0x8: (0x8, 3), 0x9: (0x9, 3), 0xA: (0xA, 3), 0xB: (0xB, 3), 0xC: (0xC, 2), 0xD: (0xD, 2), 0xE: (0xE, 3)}


def unpack_midi(packets):
    msgs, sysex = [], b""
    for p in packets:
        cin = p[0] & 0x0F
        assert p[0] >> 4 == 0  # cable 0
        if cin == 0x4:  # sysex starts or continues
            sysex += bytes(p[1:4])
        elif cin in (0x5, 0x6, 0x7):  # sysex ends with 1, 2, 3 bytes
            msgs.append(sysex + bytes(p[1:1 + cin - 4]))
            sysex = b""
        else:
            want, n = CIN[p[1] >> 4]
            assert cin == want
            msgs.append(bytes(p[1:1 + n]))
    return msgs


READ_MIDI = """
import time, usb.core
dev = usb.core.find(idVendor=0x1209, idProduct=0x0004)
t0 = time.monotonic_ns()
dev.set_configuration()
buf = bytearray(64)
while True:
    try:
        n = dev.read(0x81, buf, timeout=400)
    except usb.core.USBTimeoutError:
        break
    print((time.monotonic_ns() - t0) // 1000, list(buf[:n]))
"""


def test_midi_file_as_usb_midi_packets(drive, board, tmp_path):
    events = [(0, [0x90, 60, 100]), (48, [0x80, 60, 0]), (0, [0xC1, 5]), (24, [0xB0, 7, 90]),
              (24, [0xE2, 0x00, 0x50]), (48, [0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7]), (12, [0x91, 64, 80]),
              (0, [0x81, 64, 0])]
    song = tmp_path / "song.mid"
    song.write_bytes(smf(events))
    status, out = run_code(board, drive, READ_MIDI, "midi:%s" % song)
    assert status == 0, out
    reads = [(int(t), eval(p)) for t, p in (line.split(" ", 1) for line in out.splitlines())]
    packets = []
    for _, p in reads:
        assert len(p) % 4 == 0
        packets += [p[i:i + 4] for i in range(0, len(p), 4)]
    assert unpack_midi(packets) == [bytes(m) for _, m in events]
    # At the file's tempo (96 ticks a quarter note, 250 ms a quarter note) from the program's
    # set_configuration() on: no packet can be read before its time (a lower bound only).
    due, tick, i = [], 0, 0
    for dt, m in events:
        tick += dt
        n = (len(m) + 2) // 3 if m[0] == 0xF0 else 1
        due += [tick * 250000 // 96] * n
    arrival = []
    for t, p in reads:
        arrival += [t] * (len(p) // 4)
    for t, d in zip(arrival, due):
        assert t >= d, (arrival, due)


FAULT = """
import usb.core
dev = usb.core.find()
dev.set_configuration()
for i in range(2):
    try:
        print(dev.read(0x81, bytearray(8), timeout=50))
    except usb.core.USBError as e:
        print(type(e).__name__, repr(str(e)))
print(len(list(usb.core.find(find_all=True))))
dev.read(0x81, bytearray(8), timeout=50)
"""


@pytest.mark.parametrize("fault, first, second, left, last", [
    ("stall", "USBError 'Pipe error'", "USBError 'Pipe error'", 1, "usb.core.USBError: Pipe error"),
    ("nak", "USBTimeoutError ''", "USBTimeoutError ''", 1, "usb.core.USBTimeoutError: "),
    ("unplug", "USBError ''", "USBError ''", 0, "usb.core.USBError: "),
])
def test_faults(drive, board, fault, first, second, left, last):
    (drive / "code.py").write_text(FAULT)
    b = board(drive, *BOARD, "--runs", "1", "--usb", "mouse:%s=0x81" % fault)
    assert b.wait() == 1  # the run ended in an exception
    out = b.text
    body = out[out.index("code.py output:\n") + 16:out.index(DONE)].splitlines()
    assert body[:3] == [first, second, str(left)]
    assert body[3:] == ["Traceback (most recent call last):", '  File "code.py", line 11, in <module>', last]


def test_replay_of_a_recording(drive, board):
    path = os.path.join(FIXTURES, "keyboard-hello.pcap")  # our keyboard model typing "hello\n"
    status, out = run_code(board, drive, READ_KEYBOARD, "replay:speed=low:" + path)
    assert status == 0, out
    reports = [eval(line.split(" ", 1)[1]) for line in out.splitlines()[2:]]
    assert decode_reports(reports) == "hello\n"


def test_ctrl_c_ends_a_blocking_read(drive, board):
    (drive / "code.py").write_text("import usb.core\nd = usb.core.find()\nd.set_configuration()\n"
                                   "print('reading', flush=True)\nd.read(0x81, bytearray(8))\n")
    b = board(drive, *BOARD, "--runs", "1", "--usb", "mouse")
    b.expect("reading\n")
    b.send("\x03")
    b.expect("KeyboardInterrupt")
    assert b.wait() == 1
    assert 'File "code.py", line 5, in <module>\nKeyboardInterrupt: \n' in b.text


def test_reload_ends_a_blocking_read_and_the_port_stays(drive, board):
    (drive / "code.py").write_text("import usb.core\nd = usb.core.find()\nprint('found', hex(d.idProduct))\n"
                                   "d.detach_kernel_driver(0)\nd.set_configuration()\n"
                                   "print('reading', flush=True)\nd.read(0x81, bytearray(8))\n")
    b = board(drive, *BOARD, "--runs", "2", "--usb", "keyboard")
    b.expect("reading\n")
    (drive / "other.txt").write_text("x")  # a write to the drive: auto-reload
    b.expect("soft reboot")
    b.expect("found 0x1\n")  # the host port outlives the VM, its devices with it
    b.expect("reading\n")
    b.send("\x03")
    b.wait()


PORT = """
import board, usb_host, usb.core
p = usb_host.Port(board.USB_HOST_DATA_PLUS, board.USB_HOST_DATA_MINUS)
print(p is usb_host.Port(board.USB_HOST_DATA_PLUS, board.USB_HOST_DATA_MINUS))
for pins in ((board.D5, board.D6), (board.D4, board.D9), (board.USB_HOST_DATA_MINUS, board.USB_HOST_DATA_PLUS)):
    try:
        usb_host.Port(*pins)
    except Exception as e:
        print(type(e).__name__, e)
print(usb.core.find().product)
"""


def test_feather_port_is_started_by_the_board(drive, board):
    status, out = run_code(board, drive, PORT, "mouse")
    assert status == 0, out
    assert out.splitlines() == ["True", "RuntimeError usb_host in use", "ValueError Invalid pins",
                                "RuntimeError usb_host in use", "Virtual Mouse"]


PICO = """
import board, digitalio, time, usb_host, usb.core
try:
    usb.core.find()
except RuntimeError as e:
    print(e)
busy = digitalio.DigitalInOut(board.GP16)
try:
    usb_host.Port(board.GP16, board.GP17)
except ValueError as e:
    print(e)
busy.deinit()
port = usb_host.Port(board.GP17, board.GP16)  # D- below D+ works too
for i in range(200):  # enumeration takes a few hundred milliseconds after the port starts
    dev = usb.core.find()
    if dev:
        break
    time.sleep(0.02)
print(dev.product, dev.port_numbers)
try:
    usb_host.Port(board.GP0, board.GP1)
except RuntimeError as e:
    print(e)
"""


def test_pico_port_started_by_the_program(drive, board):
    (drive / "code.py").write_text(PICO)
    b = board(drive, "--board", "pico", "--runs", "1", "--usb", "gamepad")
    assert b.wait() == 0
    out = b.text[b.text.index("code.py output:\n") + 16:b.text.index(DONE)]
    assert out.splitlines() == ["No usb host port initialized", "GP16 in use", "Virtual Gamepad None",
                                "usb_host in use"]


@pytest.mark.parametrize("spec, message", [
    ("printer", "--usb printer: no such device"),
    ("midi:/nonexistent/song.mid", "--usb midi:/nonexistent/song.mid: cannot read /nonexistent/song.mid"),
    ("keyboard:vid=0x10000", "--usb keyboard:vid=0x10000: bad option value"),
    ("mouse:type=hi", "--usb mouse:type=hi: type= is for keyboards"),
    ("libusb:xyz", "--usb libusb:xyz: libusb:VID:PID[:INDEX]"),
    ("midi:" + os.path.join(FIXTURES, "keyboard-hello.pcap"), "--usb midi:%s: %s is not a Standard MIDI File"
     % ((os.path.join(FIXTURES, "keyboard-hello.pcap"),) * 2)),
    ("replay:" + os.path.join(FIXTURES, "keyboard.umockdev"), "--usb replay:%s: %s holds no device to replay"
     % ((os.path.join(FIXTURES, "keyboard.umockdev"),) * 2)),
    ("keyboard:start=later", "--usb keyboard:start=later: bad option value"),
    ("libusb:0x1209:0x0001", None),  # no such real device here (or no permission): it says which
])
def test_bad_usb_options(drive, board, spec, message):
    (drive / "code.py").write_text("print('ran')\n")
    b = board(drive, *BOARD, "--runs", "1", "--usb", spec)
    assert b.wait() == 2
    err = b.proc.stderr.read().decode()
    if message is None:
        assert err.startswith("circuit9: --usb %s: cannot open the device 1209:0001 (" % spec), err
    else:
        assert err.startswith("circuit9: " + message), err
    assert "ran" not in b.text


def test_usb_on_a_board_without_a_host_port(drive, board):
    (drive / "code.py").write_text("print('ran')\n")
    b = board(drive, "--board", "memento", "--runs", "1", "--usb", "keyboard")
    assert b.wait() == 2
    assert "memento has no USB host port" in b.proc.stderr.read().decode()


def test_no_port_on_esp32s3_boards(drive, board):
    # The ESP32-S3 builds have usb.core but no usb_host (their host is a MAX3421E, max3421e).
    status, out = run_code(board, drive, "import usb.core\ntry:\n    usb.core.find()\n"
                           "except RuntimeError as e:\n    print(e)\ntry:\n    import usb_host\n"
                           "except ImportError as e:\n    print(e)\n", extra=("--board", "feather_s3_tft"))
    assert out.splitlines() == ["No usb host port initialized", "no module named 'usb_host'"]
