WHITE: ColorType = 0xFFFFFF
