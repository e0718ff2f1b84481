# jpegio argument errors: CircuitPython 9.2.9's exception types and messages, in its order.
# Expected output written by hand from CircuitPython's code: MicroPython's argument parser
# (mp_arg_parse_all, mp_arg_check_num, mp_obj_get_int; a full build, as every board with jpegio
# is, names an unexpected keyword), the shared validators (spec: "<name> must be <min>-<max>",
# "<name> must be of type <T>, not <U>"), bitmaptools' crop box check
# (validated against the destination bitmap), and jpegio's own messages; open()'s TypeError with
# its missing last argument filled in (a documented fix).
import displayio
import jpegio
import terminalio

FIX = "../fixtures/jpeg/"


def attempt(fn, *args, **kw):
    try:
        fn(*args, **kw)
        print("ok")
    except Exception as e:
        print("%s: %s" % (type(e).__name__, e))


attempt(jpegio.JpegDecoder, 1)
attempt(jpegio.JpegDecoder, size=3500)
d = jpegio.JpegDecoder()
b = displayio.Bitmap(64, 48, 65536)

print("open")
attempt(d.open)
attempt(d.open, FIX + "s420.jpg", FIX + "s444.jpg")
attempt(d.open, source=FIX + "s420.jpg")
attempt(d.open, 3.5)

print("decode, nothing open")
attempt(d.decode)
attempt(d.decode, 5)
attempt(d.decode, b, 4)
attempt(d.decode, b, -1)
attempt(d.decode, b, "0")
attempt(d.decode, b, 0, 65)
attempt(d.decode, b, 0, 0, 49)
attempt(d.decode, b, 0, 64, 48)
attempt(d.decode, b, x1=65)
attempt(d.decode, b, x1=10, x2=9)
attempt(d.decode, b, y1=48, y2=None)
attempt(d.decode, b, y2=49)
attempt(d.decode, b, x1=1.0)
attempt(d.decode, b, 0, 0, 0, 0, 0, 64, True)
attempt(d.decode, b, skip_source_index=0.5)
attempt(d.decode, b, 0, 0, 0, 0, 0, 64, 48, 0)
attempt(d.decode, b, 0, scale=1)
attempt(d.decode, b, colour=1)
attempt(d.decode, b)

print("decode, open")
print(d.open(FIX + "s420.jpg"))
attempt(d.decode, b, 7)
attempt(d.decode, displayio.Bitmap(8, 8, 65536), x2=16)
attempt(d.decode, terminalio.FONT.bitmap)
attempt(d.decode, b)
print(d.open(FIX + "s420.jpg"))
attempt(d.decode, b)
attempt(d.decode, b)
