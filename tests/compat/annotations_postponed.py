# Annotations are never evaluated, in the script and in everything it imports from its folder:
# a library's `try: from typing import ...` fails (no typing module) and the names its
# annotations use stay undefined, as on a board.
from compat_lib import Box, Label, count


def area(box: Box, unit: UnitOfLength = None) -> AreaType:
    return box.width * box.height


label = Label(text="hello", scale=2)
print(label.measure(label.text))
print(area(Box(3, 4)), hex(Box(1, 1).fill), count)
print(area.__annotations__["unit"])
try:
    Optional
except NameError as e:
    print("NameError:", e)
