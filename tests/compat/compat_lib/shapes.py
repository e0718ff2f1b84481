from . import colors


class Box:
    outline: Palette  # a class-level annotation naming nothing defined

    def __init__(self, width: Dimension, height: Dimension) -> Box:
        self.width, self.height = width, height
        self.fill = colors.WHITE
