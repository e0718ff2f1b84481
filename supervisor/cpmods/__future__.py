# CircuitPython's __future__: annotations are never evaluated anyway (user code is compiled with
# postponed annotations), so the import only has to succeed.
__all__ = ["annotations"]

annotations = True
