"""The supervisor's modules in the Python package: host paths, settings.toml from the current
directory, CircuitPython's getenv quirks and storage.mount checks."""
import os

import pytest

import circuit9.os as cos
import circuit9.storage as storage
import circuit9.supervisor as supervisor
import circuit9.time as ctime


def test_getenv_reads_cwd_settings(tmp_path, monkeypatch):
    (tmp_path / "settings.toml").write_text('NAME = "board"\nOCT = 011\nBAD = "x" y\n[t]\nHIDDEN = 1\n')
    monkeypatch.chdir(tmp_path)
    assert cos.getenv("NAME") == "board"
    assert cos.getenv("OCT") == 11
    assert cos.getenv("HIDDEN", "d") == "d"
    with pytest.raises(ValueError, match="Invalid byte 'y'"):
        cos.getenv("BAD")
    with pytest.raises(TypeError):
        cos.getenv(1)


def test_listdir_stat_host_paths(tmp_path):
    (tmp_path / "b").write_text("12345")
    (tmp_path / "a").mkdir()
    assert cos.listdir(str(tmp_path)) == ["a", "b"]
    assert cos.stat(str(tmp_path / "b"))[0] == 0x8000 and cos.stat(str(tmp_path / "b"))[6] == 5
    assert cos.stat(str(tmp_path / "a"))[0] == 0x4000
    with pytest.raises(OSError) as e:
        cos.stat(str(tmp_path / "missing"))
    assert e.value.errno == 2


def test_time_and_supervisor():
    t0 = ctime.monotonic_ns()
    ctime.sleep(0.01)
    assert ctime.monotonic_ns() - t0 >= 10_000_000
    assert isinstance(ctime.time(), int)
    assert 0 <= supervisor.ticks_ms() < 2**29
    assert repr(supervisor.runtime.run_reason) == "supervisor.RunReason.STARTUP"


class FakeVfs:
    def mount(self, readonly, mkfs):
        pass


def test_storage_mount_checks(tmp_path):
    with pytest.raises(ValueError, match="filesystem must provide mount method"):
        storage.mount(object(), str(tmp_path))
    with pytest.raises(RuntimeError, match="Mount point directory missing"):
        storage.mount(FakeVfs(), str(tmp_path / "nope"))
    with pytest.raises(OSError):
        storage.getmount("/not-mounted")
