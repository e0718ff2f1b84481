"""Drives `circuit9 run` through a pseudo-terminal, as a terminal program talks to a board."""
import os
import pty
import re
import select
import signal
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))
LINE_CLEAR = "\x1b[2K\x1b[0G"
TIMEOUT = 30  # generous: waiting for output, never asserting how long it took


class Board:
    """A running `circuit9 run`, its console on a pty (stdio mode) or --serial pty."""

    def __init__(self, drive, *args, serial_pty=False):
        self.exe = os.path.join(BUILD, "circuit9")
        self.raw = b""
        self.pos = 0
        cmd = [self.exe, "run", str(drive), "--no-window", *args]
        env = dict(os.environ, SDL_VIDEODRIVER="dummy")
        env.pop("DISPLAY", None)
        env.pop("WAYLAND_DISPLAY", None)
        if serial_pty:
            cmd += ["--serial", "pty"]
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE, env=env)
            line = self.proc.stderr.readline().decode()
            m = re.search(r"serial console on (\S+)", line)
            assert m, line
            self.path = m.group(1)
            self.fd = os.open(self.path, os.O_RDWR | os.O_NOCTTY)
            import tty

            tty.setraw(self.fd)
        else:
            self.fd, slave = pty.openpty()
            self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env,
                                         close_fds=True)
            os.close(slave)

    def _read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return None
        if not data:
            return None
        self.raw += data
        return True

    @property
    def text(self):
        """Everything so far, with terminal line ends and line-clear sequences normalised."""
        return self.raw.decode("utf-8", "replace").replace(LINE_CLEAR, "").replace("\r", "")

    def expect(self, what, timeout=TIMEOUT):
        """Waits for `what` after the last match; returns the text between."""
        end = time.monotonic() + timeout
        closed = False
        while True:
            t = self.text
            i = t.find(what, self.pos)
            if i >= 0:
                before = t[self.pos:i]
                self.pos = i + len(what)
                return before
            if closed or time.monotonic() > end:
                raise AssertionError("did not see %r; output so far:\n%s" % (what, self.text))
            if self._read(0.5) is None:
                closed = True

    def send(self, data):
        os.write(self.fd, data.encode() if isinstance(data, str) else data)

    def wait(self, timeout=TIMEOUT):
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self._read(0.2)
        while self._read(0.05):
            pass
        assert self.proc.poll() is not None, "circuit9 did not exit:\n" + self.text
        return self.proc.returncode

    def close(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        try:
            os.close(self.fd)
        except OSError:
            pass


@pytest.fixture
def drive(tmp_path):
    d = tmp_path / "CIRCUITPY"
    d.mkdir()
    return d


@pytest.fixture
def board():
    boards = []

    def start(drive, *args, **kw):
        exe = os.path.join(BUILD, "circuit9")
        assert os.path.exists(exe), f"build the project first: {exe} is missing"
        b = Board(drive, *args, **kw)
        boards.append(b)
        return b

    yield start
    for b in boards:
        b.close()
