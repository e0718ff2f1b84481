# circuit9 supervisor, Python side: what user code sees under `circuit9 run`. Embedded into the
# executable at build time (supervisor/CMakeLists.txt) and run once after the interpreter starts,
# with _root, _overrides, _map_path and _note_write provided by the C side (supervisor/run.c).
#
# - user code (boot.py, code.py, the REPL, modules from the drive's / and /lib) runs with its own
#   builtins: open() maps CircuitPython paths onto the drive, __import__ gives CircuitPython's
#   os/time/gc instead of CPython's, which the standard library keeps using;
# - modules on the drive shadow nothing built in, and are forgotten at every reload;
# - tracebacks are printed the way CircuitPython prints them.
import builtins
import importlib.machinery as _machinery
import sys

_real_import = builtins.__import__
_real_open = builtins.open
_WRITE_MODES = set("wax+")


def _user_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0:
        top, _, rest = name.partition(".")
        mod = _overrides.get(top)
        if mod is not None:
            if rest:
                raise ImportError("no module named '%s'" % name)
            return mod
    return _real_import(name, globals, locals, fromlist, level)


def _user_open(file, mode="r", *args, **kwargs):
    if isinstance(file, str):
        host, readonly = _map_path(file)
        if _WRITE_MODES.intersection(mode):
            if readonly:
                raise OSError(30, "Read-only filesystem")
            _note_write(host)
        file = host
    return _real_open(file, mode, *args, **kwargs)


_user_builtins = dict(builtins.__dict__)
_user_builtins["__import__"] = _user_import
_user_builtins["open"] = _user_open


class _DriveLoader(_machinery.SourceFileLoader):
    def exec_module(self, module):
        module.__dict__["__builtins__"] = _user_builtins
        exec(self.get_code(module.__name__), module.__dict__)


class _DriveFinder:
    """Finds modules on the drive: "/" then "/lib", as CircuitPython's sys.path has them."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if path is None:
            if fullname in sys.builtin_module_names or fullname in _overrides:
                return None
            search = [_root, _root + "/lib"]
        else:
            search = [p for p in path if p == _root or p.startswith(_root + "/")]
            if not search:
                return None
        spec = _machinery.PathFinder.find_spec(fullname, search)
        if spec is not None and isinstance(spec.loader, _machinery.SourceFileLoader):
            spec.loader = _DriveLoader(fullname, spec.origin)
        return spec


sys.meta_path.insert(0, _DriveFinder)


def _purge_drive_modules():
    for name, mod in list(sys.modules.items()):
        spec = getattr(mod, "__spec__", None)
        locs = getattr(spec, "submodule_search_locations", None) or []
        if isinstance(getattr(spec, "loader", None), _DriveLoader) or any(
            isinstance(p, str) and (p == _root or p.startswith(_root + "/")) for p in locs
        ):
            del sys.modules[name]


def _cp_name(filename):
    if filename.startswith(_root + "/"):
        rel = filename[len(_root) :]
        return rel if rel.startswith("/lib/") else rel[1:]
    return filename


def _format_exception(e):
    out = ["Traceback (most recent call last):\n"]
    tb = e.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        fn = code.co_filename
        if not (fn.startswith("<frozen ") or fn == "<circuit9>"):
            out.append('  File "%s", line %d, in %s\n' % (_cp_name(fn), tb.tb_lineno, code.co_name))
        tb = tb.tb_next
    if isinstance(e, SyntaxError):
        out.append('  File "%s", line %s\n' % (_cp_name(e.filename or "<stdin>"), e.lineno))
        out.append("%s: %s\n" % (type(e).__name__, e.msg))
    else:
        # MicroPython prints "Name: " even without arguments (KeyboardInterrupt: ).
        out.append("%s: %s\n" % (type(e).__name__, str(e) if e.args else ""))
    return "".join(out)


def _error_status(e):
    """The status bar's "<line>@<file> <Exception>" for an error, from its innermost frame."""
    tb = e.__traceback__
    line, name = getattr(e, "lineno", None), getattr(e, "filename", None)
    while tb is not None:
        line, name = tb.tb_lineno, tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    if isinstance(e, SyntaxError):
        line, name = e.lineno, e.filename
    if not line or not name:
        return type(e).__name__
    return "%d@%s %s" % (line, _cp_name(name), type(e).__name__)


def _new_globals(file=None):
    g = {"__name__": "__main__", "__builtins__": _user_builtins}
    if file is not None:
        g["__file__"] = file
    return g


def _run_file(host_path, name):
    with _real_open(host_path, "rb") as f:
        source = f.read()
    code = compile(source, name, "exec", dont_inherit=True)
    exec(code, _new_globals(name))


def _repl_compile(source):
    import codeop

    return codeop.compile_command(source, "<stdin>", "single")


def _repl_exec(code, g):
    exec(code, g)


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
    """Shows the last changes now: a board's background refresh would within a frame."""
    if display is not None and getattr(display, "auto_refresh", False):
        display.refresh(target_frames_per_second=None)


def _reset_display(display):
    """After a run the board's display shows the terminal again, as reset_displays() does."""
    if display is None:
        return
    try:
        import displayio

        display.root_group = getattr(displayio, "CIRCUITPYTHON_TERMINAL", None)
    except Exception:
        pass
