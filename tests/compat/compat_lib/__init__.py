# A library shaped like Adafruit's: typing names imported in a try block for annotations only.
try:
    from typing import Optional, Union

    from circuitpython_typing import ReadableBuffer
    from fontio import FontProtocol
except ImportError:
    pass

from .shapes import Box


class Label:
    def __init__(self, font: Optional[FontProtocol] = None, *, text: str = "", scale: int = 1) -> None:
        self.text = text
        self.scale = scale

    def measure(self, data: Union[ReadableBuffer, str]) -> "tuple[int, int]":
        return (len(data) * 6 * self.scale, 8 * self.scale)


count: SomeUndefinedCounterType = 0
