"""Shared pytest set-up: the package comes from the build tree (PYTHONPATH=build/python, set by
CTest); C9_BUILD_DIR points at the build for tests that run the circuit9 executable."""
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("C9_BUILD_DIR", os.path.join(ROOT, "build"))
if os.path.join(BUILD, "python") not in sys.path:
    sys.path.insert(0, os.path.join(BUILD, "python"))


@pytest.fixture
def circuit9_exe():
    exe = os.path.join(BUILD, "circuit9")
    assert os.path.exists(exe), f"build the project first: {exe} is missing"
    return exe


@pytest.fixture
def fixtures_dir():
    return os.path.join(ROOT, "tests", "fixtures")
