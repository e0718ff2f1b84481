# CircuitPython's locale (shared-bindings/locale): getlocale() gives the language of the
# firmware's translation (circuit9 speaks the English build's messages) and "utf-8".
__all__ = ["getlocale"]


def getlocale():
    return ("en_US", "utf-8")
