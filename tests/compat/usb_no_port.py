# usb.core, usb.util and usb_host where no USB host port runs (circuit9's script mode, like a
# board whose port nobody started): CircuitPython 9.2.9's names, argument errors and
# "No usb host port initialized".
import usb.core
import usb.util
import usb_host

print(usb.util.SPEED_LOW, usb.util.SPEED_FULL, usb.util.SPEED_HIGH)
print(sorted(n for n in dir(usb.util) if not n.startswith("_")))
print(sorted(n for n in dir(usb.core) if not n.startswith("_")))
print(sorted(n for n in dir(usb_host) if not n.startswith("_")))
print(issubclass(usb.core.USBError, OSError), issubclass(usb.core.USBTimeoutError, usb.core.USBError))
print(str(usb.core.USBError("Pipe error")), usb.core.USBTimeoutError().args)


def attempt(f):
    try:
        print(f())
    except Exception as e:
        print(type(e).__name__ + ":", e)


attempt(lambda: usb.core.find())
attempt(lambda: usb.core.find(idVendor=0x239A, idProduct=0x8000))
# find_all gives an iterator at once; the port is looked for while iterating
it = usb.core.find(find_all=True)
print(type(it).__name__, iter(it) is it)
attempt(lambda: next(it))
attempt(lambda: usb.core.find(custom_match=lambda d: True))
attempt(lambda: usb.core.find(True, 0x239A, 0x8000, 1))
attempt(lambda: usb.core.find(idVendor=1 << 40))
attempt(lambda: usb.core.Device())
attempt(lambda: usb_host.Port(1))
attempt(lambda: usb_host.Port(1, 2))
attempt(lambda: usb_host.Port(dp=1, dm=2))
attempt(lambda: usb_host.set_user_keymap(42))
attempt(lambda: usb_host.set_user_keymap(bytes(256)))
for device in usb.core.find(find_all=True):
    print(device)
