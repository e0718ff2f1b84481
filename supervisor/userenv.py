# circuit9 supervisor, Python side: what user code sees under `circuit9 run` and `circuit9 SCRIPT.py`.
# Embedded into the executable at build time (supervisor/CMakeLists.txt) and run once after the
# interpreter starts, with these names provided by the C side (supervisor/pyenv.c):
#   _root          the CIRCUITPY folder (host path), "" for a script
#   _script        True for `circuit9 SCRIPT.py`
#   _board         the board's data: name, board_id, description, mcu, platform, modules
#   _overrides     circuit9's modules whose names CPython also uses (os, time, gc), by name
#   _c_modules     every module circuit9 implements in C, registered as built-ins or in _overrides
#   _cpmods        sources of the CircuitPython modules written in Python (supervisor/cpmods/*.py)
#   _vfs_open      open() over the board's file system (runtime/vfs.h): (file, mode, args, kwargs)
#   _vfs_import_stat  what a path is: 0 nothing, 1 a file, 2 a directory
#   _vfs_read      a whole file of the board's file system, as bytes
#   getenv_int, getenv_str  the unix coverage build's globals (a script's builtins)
#   _serial_available  bytes waiting on the console (run mode)
#
# User code (boot.py, code.py, the REPL, modules from the drive, a script and its neighbours) runs
# with CircuitPython's language and module set:
# - its own builtins: __import__ imports the way CircuitPython does (the board's built-in modules,
#   then the drive's "", "/", "/lib"; CPython's standard library is invisible), open() maps
#   CircuitPython paths onto the drive;
# - everything it imports from the drive is compiled with postponed annotations, which are never
#   evaluated (MicroPython parses and drops them);
# - modules CircuitPython and CPython share (sys, json, errno, traceback, ...) are CircuitPython's;
# - tracebacks print as CircuitPython prints them, chained exceptions included.
# The runtime itself (this file, the supervisor, the standard library) keeps CPython's modules.
import __future__
import builtins
import codeop
import os as _os
import sys
import types
import warnings

# CPython's own warnings (a coroutine never awaited, a deprecated escape in user source) never
# reach a board's console.
warnings.simplefilter("ignore")

_real_import = builtins.__import__
_real_open = builtins.open
_COMPILE_FLAGS = __future__.annotations.compiler_flag
_VERSION = (9, 2, 9)
_VERSION_STR = "9.2.9"
_BUILD_DATE = "2025-03-11"

# Built-in modules a file on the search path may shadow (MicroPython's "extensible" modules);
# every other built-in module is found before the filesystem is searched.
_EXTENSIBLE = {"array", "binascii", "collections", "errno", "hashlib", "heapq", "io", "json", "os",
               "platform", "random", "re", "select", "struct", "time"}
# circuit9's own desktop module: on every board, never in CircuitPython's lists.
_CIRCUIT9_ONLY = {"circuit9_board"}


def _provider_names():
    return set(_c_modules) | set(_cpmods) | {"sys", "builtins"}


def _available_names():
    names = _provider_names()
    if _script:
        # A script runs as on CircuitPython's unix port, the one its own tests run on: every
        # module circuit9 has is there.
        return names
    return {n for n in names if n in _board["modules"] or n in _CIRCUIT9_ONLY}


_available = _available_names()

# ---- exceptions, the way CircuitPython prints them -------------------------------------------

# CircuitPython's built-in exception names; a CPython-only built-in (FileNotFoundError,
# ModuleNotFoundError, RecursionError) prints as the nearest of these, as the board raises that.
_CP_EXCEPTIONS = {"ArithmeticError", "AssertionError", "AttributeError", "BaseException", "BrokenPipeError",
                  "ConnectionError", "EOFError", "Exception", "GeneratorExit", "ImportError",
                  "IndentationError", "IndexError", "KeyboardInterrupt", "KeyError", "LookupError",
                  "MemoryError", "NameError", "NotImplementedError", "OSError", "OverflowError",
                  "RuntimeError", "StopAsyncIteration", "StopIteration", "SyntaxError", "SystemExit",
                  "TimeoutError", "TypeError", "UnicodeError", "ValueError", "ZeroDivisionError", "Warning",
                  "FutureWarning"}

# Native modules whose exceptions print with the module's name (usb.core's own print function).
_QUALIFIED_EXCEPTIONS = {"usb.core"}

# CircuitPython's errno numbers (newlib's, which both its ESP32 and SAMD builds use) and the
# human-readable texts it prints for the common ones (py/moderrno.c).
_ERRNO = {"EPERM": 1, "ENOENT": 2, "EIO": 5, "EBADF": 9, "EAGAIN": 11, "ENOMEM": 12, "EACCES": 13,
          "EEXIST": 17, "ENODEV": 19, "EISDIR": 21, "EINVAL": 22, "ENOSPC": 28, "EROFS": 30,
          "EOPNOTSUPP": 95, "EADDRINUSE": 112, "ECONNABORTED": 113, "ECONNRESET": 104, "ENOBUFS": 105,
          "ENOTCONN": 128, "ETIMEDOUT": 116, "ECONNREFUSED": 111, "EHOSTUNREACH": 118, "EALREADY": 120,
          "EINPROGRESS": 119}
_ERRNO_TEXT = {1: "Operation not permitted", 2: "No such file/directory", 5: "Input/output error",
               13: "Permission denied", 17: "File exists", 19: "No such device", 22: "Invalid argument",
               28: "No space left on device", 30: "Read-only filesystem"}
_ERRNO_NAME = {v: k for k, v in _ERRNO.items()}
# The texts circuit9's native modules put beside a number (bindings/supervisor/c9rt.c) where they
# differ from the host's strerror().
_NATIVE_TEXT = {11: "Try again", 12: "Out of memory"}

# Files whose frames belong in a user's traceback: what user code compiled (code.py, the drive's
# modules, a script), the REPL and exec() of a string. The runtime's own frames are left out, as
# a board's native code has none.
_user_files = {"<stdin>", "<string>"}


def _is_errno_name(text):
    # The symbolic name native modules put beside a number CircuitPython's errno may not know
    # ("ENOPROTOOPT" for 109): the number alone is what a board prints then.
    return isinstance(text, str) and len(text) > 1 and text[0] == "E" and text.isupper() and text.isalpha()


def _errno_text(n):
    return _ERRNO_TEXT.get(n) or _ERRNO_NAME.get(n)


def _cp_type_name(t, native=False):
    """The exception's name as CircuitPython prints it; native: the name of the built-in exception
    it derives from (an instance of a Python class printed as a chained exception shows that)."""
    for k in t.__mro__:
        if (k.__module__ != "builtins" and not native) or k.__name__ in _CP_EXCEPTIONS:
            if k.__module__ in _QUALIFIED_EXCEPTIONS and k is t:
                return k.__module__ + "." + k.__name__
            return k.__name__
    return t.__name__


def _exc_message(e, native=False):
    """MicroPython's "<Name>: <args>" line (py/objexcept.c)."""
    name = _cp_type_name(type(e), native)
    args = e.args if isinstance(e.args, tuple) else (e.args,)
    if not args:
        return name + ": "
    if name == "OSError" and len(args) < 3 and type(args[0]) is int:
        text = _errno_text(args[0])
        if text is not None:
            msg = "[Errno %d] %s" % (args[0], text)
            # circuit9's OSErrors carry (errno, text) so that CPython fills in .errno; the text is
            # the one derived from the number, not a second argument.
            if len(args) > 1 and args[1] not in (text, _os.strerror(args[0]), _NATIVE_TEXT.get(args[0])):
                msg += ": %s" % (args[1],)
            return name + ": " + msg
        if len(args) == 2 and (args[1] == _os.strerror(args[0]) or _is_errno_name(args[1])):
            return name + ": %d" % args[0]  # a number CircuitPython has no name for: OSError(n)
    if (isinstance(e, OSError) and name != "OSError" and len(args) == 2 and type(args[0]) is int
            and _is_errno_name(args[1])):
        return name + ": %d" % args[0]  # BrokenPipeError(EPIPE): MicroPython names only OSError's
    if len(args) == 1:
        return name + ": " + str(args[0])
    return name + ": " + repr(args)


def _user_frames(tb):
    out = []
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in _user_files:
            out.append((code.co_filename, tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    return out


def _format_one(e, tb, limit, out, native=False):
    frames = _user_frames(tb)
    if limit > 0:
        frames = frames[:limit]
    elif limit < 0:
        frames = frames[limit:]
    if frames:
        out.append("Traceback (most recent call last):\n")
        for fn, line, name in frames:
            out.append('  File "%s", line %d, in %s\n' % (fn, line, name))
    if isinstance(e, SyntaxError) and e.filename is not None and not frames:
        # A compile error has no frame of its own: MicroPython shows where the parser stopped.
        out.append("Traceback (most recent call last):\n")
        out.append('  File "%s", line %s\n' % (_cp_name(e.filename), e.lineno))
        out.append("%s: %s\n" % (_cp_type_name(type(e)), e.msg))
        return
    out.append(_exc_message(e, native) + "\n")


def _format_chain(e, tb, limit, chain, out, seen, inner_of=False):
    """mp_obj_print_exception_with_limit(): the context (unless suppressed) or cause first.

    MicroPython keeps `raise X from Y`'s cause and suppression in the built-in exception object;
    for an instance of a Python exception class the cause is an ordinary attribute and nothing is
    suppressed, so its context wins, and when such an exception is printed as another's context
    or cause it shows as its built-in base, with its context but not its cause (CircuitPython's
    tests/circuitpython/traceback_test_chained.py.exp)."""
    native = type(e).__module__ == "builtins"
    if chain:
        inner, msg = None, "During handling of the above exception, another exception occurred:"
        if not (native and e.__suppress_context__):
            inner = e.__context__
        if inner is None and (native or not inner_of):
            inner = e.__cause__
            msg = "The above exception was the direct cause of the following exception:"
        if isinstance(inner, BaseException) and id(inner) not in seen:
            seen.add(id(inner))
            _format_chain(inner, inner.__traceback__, limit, chain, out, seen, True)
            seen.discard(id(inner))
            out.append("\n" + msg + "\n\n")
    _format_one(e, tb, limit, out, inner_of)


def _format_exception(e, tb=None, limit=0, chain=True, use_own_tb=True):
    out = []
    _format_chain(e, e.__traceback__ if use_own_tb else tb, limit, chain, out, {id(e)})
    return "".join(out)


def _error_status(e):
    """The status bar's "<line>@<file> <Exception>" for an error, from its innermost user frame."""
    frames = _user_frames(e.__traceback__)
    if isinstance(e, SyntaxError) and not frames:
        line, name = e.lineno, e.filename and _cp_name(e.filename)
    elif frames:
        name, line, _ = frames[-1]
    else:
        return _cp_type_name(type(e))
    if not line or not name:
        return _cp_type_name(type(e))
    return "%d@%s %s" % (line, name, _cp_type_name(type(e)))


def _cp_name(filename):
    if _root and filename.startswith(_root + "/"):
        rel = filename[len(_root):]
        return rel if rel.startswith("/lib/") else rel[1:]
    return filename


# ---- the module set ----------------------------------------------------------------------------

class _Runtime:
    """What CircuitPython modules written in Python may use of the runtime."""

    format_exception = staticmethod(_format_exception)
    exc_message = staticmethod(_exc_message)
    ERRNO = _ERRNO

    @staticmethod
    def console_available():
        return _serial_available() if not _script else None

    @staticmethod
    def builtin(name):
        return _builtin(name)

    @staticmethod
    def stdout():
        return sys.stdout

    @staticmethod
    def stderr():
        return sys.stderr

    @staticmethod
    def set_atexit(runner):
        _vm.atexit = runner


class _VM:
    """State of one run of user code; a soft reboot starts a new one."""

    def __init__(self, argv=(), path=None):
        self.modules = {}  # sys.modules as user code sees it: modules loaded from files
        self.builtins = {}  # built-in modules made for this run
        self.argv = list(argv)
        self.path = path if path is not None else ["", "/", ".frozen", "/lib"]
        # The code file's globals live as long as the run: on a board the VM's heap, and the pins
        # its objects hold, last until the soft reboot after "Code done running." (--state and
        # --screenshot-board look at the board then).
        self.main_globals = None
        self.atexit = None  # atexit's runner, once user code imported atexit


_vm = _VM()


def _exec_cpmod(name):
    # The source runs in a namespace of its own; the module user code gets holds only the public
    # names (__all__), so CPython's helpers behind it stay out of sight.
    d = {"__name__": name, "_runtime": _Runtime}
    exec(compile(_cpmods[name], "<circuit9:%s>" % name, "exec", dont_inherit=True), d)
    mod = types.ModuleType(name)
    del mod.__dict__["__doc__"]
    for k in d.get("__all__") or [k for k in d if not k.startswith("_")]:
        setattr(mod, k, d[k])
    return mod


def _builtin(name):
    mod = _vm.builtins.get(name)
    if mod is not None:
        return mod
    if name in _overrides:
        mod = _overrides[name]
    elif name in _c_modules:
        mod = _real_import(name)
    elif name == "sys":
        mod = _make_sys()
    elif name == "builtins":
        mod = types.ModuleType("builtins")
        mod.__dict__.update(_user_builtins)
    else:
        mod = _exec_cpmod(name)
    _vm.builtins[name] = mod
    return mod


class _Implementation(tuple):
    """sys.implementation: MicroPython's attrtuple, printed without a type name."""

    _fields = ("name", "version", "_machine", "_mpy")

    def __getattr__(self, attr):
        try:
            return self[self._fields.index(attr)]
        except ValueError:
            raise AttributeError("'tuple' object has no attribute '%s'" % attr) from None

    def __repr__(self):
        return "(" + ", ".join("%s=%r" % (k, v) for k, v in zip(self._fields, self)) + ")"

    __str__ = __repr__


def _sys_exit(retval=None):
    if retval is None:
        raise SystemExit
    raise SystemExit(retval)


def _print_exception(exc, file=None, /):
    _builtin("warnings").warn("print_exception moved from sys to traceback", FutureWarning)
    if not isinstance(exc, BaseException):
        raise TypeError("invalid exception")
    (file if file is not None else sys.stdout).write(_format_exception(exc))


def _make_sys():
    mod = types.ModuleType("sys")
    machine = "%s with %s" % (_board["description"], _board["mcu"])
    # .mpy version 6, sub-version 3, no native architecture: CircuitPython 9.2.x's header.
    mpy = 6 | (3 << 8)
    mod.__dict__.update(
        argv=_vm.argv,
        byteorder="little",
        exit=_sys_exit,
        implementation=_Implementation(("circuitpython", _VERSION + ("",), machine, mpy)),
        maxsize=2**31 - 1,
        modules=_vm.modules,
        path=_vm.path,
        platform=_board["platform"],
        print_exception=_print_exception,
        stdin=sys.stdin,
        stdout=sys.stdout,
        stderr=sys.stderr,
        version="3.4.0; Adafruit CircuitPython %s on %s" % (_VERSION_STR, _BUILD_DATE),
        version_info=(3, 4, 0),
    )
    del mod.__dict__["__doc__"]
    return mod


# ---- importing, as CircuitPython's py/builtinimport.c does ---------------------------------------
# Paths are the board's (the file system of runtime/vfs.h: the drive, mounted cards, the host's
# tree in a script), asked through mp_vfs_import_stat()'s rules.

def _stat_module(cp_path):
    """("dir" | "py" | "mpy", CircuitPython path) or None, as stat_module()."""
    if _vfs_import_stat(cp_path) == 2:
        return "dir", cp_path
    if _vfs_import_stat(cp_path + ".py") == 1:
        return "py", cp_path + ".py"
    if _vfs_import_stat(cp_path + ".mpy") == 1:
        return "mpy", cp_path + ".mpy"
    return None


def _stat_top_level(name):
    for entry in list(_vm.path):
        if not isinstance(entry, str) or entry == ".frozen":
            continue
        found = _stat_module(entry + "/" + name if entry else name)
        if found:
            return found
    return None


def _compile_user(source, filename, mode="exec"):
    _user_files.add(filename)
    return compile(source, filename, mode, flags=_COMPILE_FLAGS, dont_inherit=True)


def _exec_file(mod, cp_path):
    source = _vfs_read(cp_path)
    mod.__dict__["__file__"] = cp_path
    exec(_compile_user(source, cp_path), mod.__dict__)


def _new_module(name):
    mod = types.ModuleType(name)
    d = mod.__dict__
    for k in ("__doc__", "__package__", "__loader__", "__spec__"):
        d.pop(k, None)
    d["__builtins__"] = _user_builtins
    return mod


def _import_level(full, level_name, outer):
    mod = _vm.modules.get(full)
    if mod is not None and _vm.path:
        return mod
    found = None
    if outer is None:
        if level_name in _available and level_name not in _EXTENSIBLE:
            return _builtin(level_name)
        found = _stat_top_level(level_name)
        if found is None and level_name in _available:
            return _builtin(level_name)
    else:
        if "__file__" not in outer.__dict__ and "__path__" not in outer.__dict__:
            # A built-in package (ulab.numpy, ulab.scipy.linalg): its submodules are attributes.
            sub = getattr(outer, level_name, None)
            if isinstance(sub, types.ModuleType):
                return sub
        pkg = outer.__dict__.get("__path__")
        if isinstance(pkg, str):
            found = _stat_module(pkg + "/" + level_name)
    if found is None:
        raise ImportError("no module named '%s'" % full)
    kind, cp_path = found
    if kind == "mpy":
        # MicroPython bytecode: circuit9 runs the .py bundle of a library.
        raise ValueError("incompatible .mpy file")
    mod = _new_module(full)
    _vm.modules[full] = mod
    try:
        if kind == "dir":
            mod.__dict__["__path__"] = cp_path
            init = _stat_module(cp_path + "/__init__")
            if init is not None and init[0] == "py":
                _exec_file(mod, init[1])
            elif init is not None and init[0] == "mpy":
                raise ValueError("incompatible .mpy file")
        else:
            _exec_file(mod, cp_path)
    except BaseException:
        _vm.modules.pop(full, None)
        raise
    if outer is not None:
        setattr(outer, level_name, mod)
    return mod


def _resolve_relative(name, globals, level):
    if globals is None:
        # MicroPython resolves against the module running the import (asyncio's __getattr__
        # calls __import__(name, None, None, True, 1)).
        globals = sys._getframe(2).f_globals
    current = globals.get("__name__")
    if not isinstance(current, str):
        raise ImportError("can't perform relative import")
    if "__path__" in globals:
        level -= 1
    p = len(current)
    while level and p > 0:
        p -= 1
        if current[p] == ".":
            level -= 1
    if p == 0:
        raise ImportError("can't perform relative import")
    return current[:p] + ("." + name if name else "")


def _user_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level < 0:
        raise ValueError
    if level:
        name = _resolve_relative(name, globals, level)
    if not name:
        raise ValueError
    top = outer = None
    parts = name.split(".")
    for i, part in enumerate(parts):
        outer = _import_level(".".join(parts[: i + 1]), part, outer)
        if top is None:
            top = outer
    if not fromlist:
        return top
    if not isinstance(fromlist, (tuple, list)):
        return outer  # MicroPython takes any true fromlist as "return the leaf module"
    for attr in fromlist:
        if attr == "*" or hasattr(outer, attr):
            continue
        # mp_import_from(): a package's missing name is a submodule to import, which may still be
        # loading (a circular import gets the partly run module, as on a board).
        if not isinstance(outer.__dict__.get("__path__"), str):
            raise ImportError("can't import name %s" % attr)
        setattr(outer, attr, _user_import(outer.__name__ + "." + attr, None, None, ("*",), 0))
    return outer


def _user_open(file, mode="r", *args, **kwargs):
    if isinstance(file, str):
        # The file system mounted there opens it: the drive's VfsFat refuses writes until
        # storage.remount(), a FAT volume gives MicroPython's file objects.
        return _vfs_open(file, mode, args, kwargs)
    try:
        return _real_open(file, mode, *args, **kwargs)
    except OSError as e:
        if type(e.errno) is int and _errno_text(e.errno):
            raise OSError(e.errno, _errno_text(e.errno)) from None
        raise


def _user_compile(source, filename, mode, flags=0, dont_inherit=False, *args, **kwargs):
    if isinstance(filename, str):
        _user_files.add(filename)
    return compile(source, filename, mode, flags | _COMPILE_FLAGS, True, *args, **kwargs)


_user_builtins = dict(builtins.__dict__)
_user_builtins["__import__"] = _user_import
_user_builtins["open"] = _user_open
_user_builtins["compile"] = _user_compile
for _name in ("exit", "quit", "copyright", "credits", "license"):
    _user_builtins.pop(_name, None)  # site's interactive helpers; a board has none
if _script:
    # The unix coverage build, which CircuitPython's tests run on, has these as globals.
    _user_builtins["getenv_int"] = getenv_int
    _user_builtins["getenv_str"] = getenv_str


def _purge_drive_modules():
    """A fresh VM for the next run: no modules loaded, new sys.path/argv, new built-in state."""
    global _vm
    _vm = _VM(_vm.argv if _script else ())


# ---- running user code ---------------------------------------------------------------------------

def _new_globals(file=None):
    g = {"__name__": "__main__", "__builtins__": _user_builtins}
    if file is not None:
        g["__file__"] = file
    return g


def _run_file(path, name):
    """Runs the file at path of the board's file system, named name in tracebacks."""
    g = _vm.main_globals = _new_globals(name)
    exec(_compile_user(_vfs_read(path), name), g)


def _run_script(path, argv):
    """`circuit9 SCRIPT.py ARGS`: as CircuitPython's unix port runs a file."""
    global _vm
    _vm = _VM(argv, [_os.path.dirname(path)])
    _run_file(path, path)


_repl_compiler = codeop.CommandCompiler()
_repl_compiler.compiler.flags |= _COMPILE_FLAGS


def _repl_compile(source):
    return _repl_compiler(source, "<stdin>", "single")


def _repl_exec(code, g):
    exec(code, g)


# ---- the board's display -------------------------------------------------------------------------

def _make_display(d):
    """board.DISPLAY from the board table, through the display modules' public API."""
    import board
    import busdisplay

    def pin(name):
        return getattr(board, name) if name else None

    if d["bus"] == "fourwire":
        import busio
        import fourwire

        if d["clock"] == d["board_spi_clock"]:
            spi = board.SPI()
        else:
            spi = busio.SPI(pin(d["clock"]), MOSI=pin(d["mosi"]), MISO=pin(d["miso"]))
        bus = fourwire.FourWire(spi, command=pin(d["command"]), chip_select=pin(d["chip_select"]),
                                reset=pin(d["reset"]), baudrate=d["frequency"])
    elif d["bus"] == "parallel":
        import paralleldisplaybus

        bus = paralleldisplaybus.ParallelBus(data_pins=tuple(pin(p) for p in d["data_pins"]),
                                             command=pin(d["command"]), chip_select=pin(d["chip_select"]),
                                             write=pin(d["write"]), read=pin(d["read"]), reset=pin(d["reset"]),
                                             frequency=d["frequency"])
    else:
        import i2cdisplaybus

        if d["scl"] == d["board_i2c_scl"]:
            i2c = board.I2C()
        else:
            import busio

            i2c = busio.I2C(pin(d["scl"]), pin(d["sda"]), frequency=d["frequency"])
        bus = i2cdisplaybus.I2CDisplayBus(i2c, device_address=d["address"], reset=pin(d["reset"]))
    kw = dict(width=d["width"], height=d["height"], colstart=d["colstart"], rowstart=d["rowstart"],
              rotation=d["rotation"], color_depth=d["color_depth"], grayscale=d["grayscale"],
              pixels_in_byte_share_row=d["pixels_in_byte_share_row"],
              set_column_command=d["set_column_command"], set_row_command=d["set_row_command"],
              write_ram_command=d["write_ram_command"], single_byte_bounds=d["single_byte_bounds"],
              data_as_commands=d["data_as_commands"], auto_refresh=True)
    if d["brightness_command"] >= 0:
        kw["brightness_command"] = d["brightness_command"]
    if d["backlight"]:
        kw["backlight_pin"] = pin(d["backlight"])
    return busdisplay.BusDisplay(bus, d["init_sequence"], **kw)


def _flush_display(display):
    """Shows the last changes now: a board's background refresh would within a frame. A display
    the program released (displayio.release_displays()) or handed to another has nothing to show."""
    if display is None:
        return
    try:
        if not display.auto_refresh:
            return
        display.refresh(target_frames_per_second=None)
    except ValueError:
        pass  # deinitialised by the program: "Object has been deinitialized..."


def _reset_display(display):
    """After a run the board's display shows the terminal again, as reset_displays() does."""
    if display is None:
        return
    try:
        import displayio

        display.root_group = getattr(displayio, "CIRCUITPYTHON_TERMINAL", None)
    except Exception:
        pass


def _attach_device(spec):
    """--device SPEC: a model on the virtual board's bus (circuit9_board, the host's own module)."""
    import circuit9_board

    return circuit9_board.attach_spec(spec)


def _run_atexit():
    """The atexit functions of the run that ended (CircuitPython runs them after each file)."""
    runner = _vm.atexit
    if runner is not None:
        runner()
