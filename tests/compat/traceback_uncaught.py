# An exception nobody catches ends the script: the traceback goes to stderr in CircuitPython's
# format, chained context included, and the exit status is 1.
def parse(text):
    return int(text)


def load(settings):
    try:
        return parse(settings["level"])
    except ValueError as e:
        raise RuntimeError("bad settings") from e


print("before")
load({"level": "high"})
print("not reached")
