# CircuitPython's getpass (shared-bindings/getpass, shared-module/getpass): the prompt goes to the
# console or to a stream; characters are read from the console without echo until Enter (CR);
# backspace and DEL remove one, other control characters are ignored; Ctrl-C raises
# KeyboardInterrupt, Ctrl-D on an empty line EOFError. The end of the console's input (a closed
# pipe) counts as Ctrl-D.
__all__ = ["getpass"]


def getpass(prompt=None, stream=None):
    import sys

    if prompt is None:
        prompt = "Password: "
    if not isinstance(prompt, str):
        raise TypeError("can't convert '%s' object to str implicitly" % type(prompt).__name__)
    if stream is not None:
        if not callable(getattr(stream, "write", None)):
            raise OSError("stream operation not supported")
        stream.write(prompt)
    else:
        sys.stdout.write(prompt)
        sys.stdout.flush()
    chars = []
    while True:
        c = sys.stdin.read(1)
        code = ord(c) if c else 4
        if code == 3:
            raise KeyboardInterrupt
        if code == 4 and not chars:
            raise EOFError
        if code == 4 or code == 13:
            sys.stdout.write("\r\n")
            break
        if code in (8, 127):
            if chars:
                chars.pop()
        elif code >= 32:
            chars.append(c)
    return "".join(chars)
