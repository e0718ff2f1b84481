# errno carries the numbers of CircuitPython's builds (newlib's errno.h on ESP32 and SAMD), not
# the host's, and errorcode maps them back to names; an OSError prints with CircuitPython's text.
import errno

for name in ("EPERM", "ENOENT", "EIO", "EBADF", "EAGAIN", "ENOMEM", "EACCES", "EEXIST", "ENODEV", "EISDIR",
             "EINVAL", "ENOSPC", "EROFS", "EOPNOTSUPP", "EADDRINUSE", "ECONNABORTED", "ECONNRESET", "ENOBUFS",
             "ENOTCONN", "ETIMEDOUT", "ECONNREFUSED", "EHOSTUNREACH", "EALREADY", "EINPROGRESS"):
    value = getattr(errno, name)
    print(name, value, errno.errorcode[value])
print(len(errno.errorcode))
print(hasattr(errno, "ENOTDIR"))

try:
    open("no_such_file.txt")
except OSError as e:
    print(e.errno == errno.ENOENT, e.args[0])

# Printed as a board prints OSError(n): the number's name when CircuitPython has no text for it,
# the bare number when it has no name either.
import traceback

for path in (".", "errno_values.py/child"):
    try:
        open(path)
    except OSError as e:
        traceback.print_exception(None, e, None)
