# An SD card driver in pure CircuitPython, written for circuit9's tests from the SD Physical Layer
# Simplified Specification's SPI mode (section 7): what a library such as adafruit_sdcard does,
# with the same shape (SDCard(spi, cs, baudrate), count, readblocks, writeblocks), so that
# storage.VfsFat runs on a card through Python code on busio.SPI and digitalio.
import digitalio

_TOKEN_START = 0xFE
_TOKEN_MULTI_WRITE = 0xFC
_TOKEN_STOP = 0xFD
_R1_IDLE = 0x01
_R1_ILLEGAL = 0x04


def _crc7(data):
    crc = 0
    for byte in data:
        for bit in range(8):
            crc = (crc << 1) ^ (0x09 if ((crc >> 6) ^ (byte >> (7 - bit))) & 1 else 0)
            crc &= 0x7F
    return crc


class SDCard:
    def __init__(self, spi, cs, baudrate=4000000):
        self._spi = spi
        self._cs = digitalio.DigitalInOut(cs)
        self._cs.switch_to_output(value=True)
        self._baudrate = 250000
        self._byte = bytearray(1)
        self._cmd = bytearray(6)
        self._block_addressing = False
        self._sectors = 0
        self._init_card()
        self._baudrate = baudrate

    # ---- bus --------------------------------------------------------------------------------

    def _begin(self):
        while not self._spi.try_lock():
            pass
        self._spi.configure(baudrate=self._baudrate, polarity=0, phase=0)
        self._cs.value = False

    def _end(self):
        self._cs.value = True
        self._spi.write(b"\xff")  # a byte with CS high lets the card release MISO
        self._spi.unlock()

    def _read_byte(self):
        self._spi.readinto(self._byte, write_value=0xFF)
        return self._byte[0]

    def _wait_not_busy(self, tries=100000):
        for _ in range(tries):
            if self._read_byte() == 0xFF:
                return
        raise OSError(5, "card stays busy")

    def _command(self, index, arg):
        c = self._cmd
        c[0] = 0x40 | index
        c[1] = (arg >> 24) & 0xFF
        c[2] = (arg >> 16) & 0xFF
        c[3] = (arg >> 8) & 0xFF
        c[4] = arg & 0xFF
        c[5] = (_crc7(c[:5]) << 1) | 1
        self._spi.write(c)
        for _ in range(16):
            r = self._read_byte()
            if not r & 0x80:
                return r
        return 0xFF

    def _read_token(self):
        for _ in range(100000):
            t = self._read_byte()
            if t != 0xFF:
                return t
        return 0xFF

    # ---- set-up -----------------------------------------------------------------------------

    def _init_card(self):
        while not self._spi.try_lock():
            pass
        self._spi.configure(baudrate=self._baudrate, polarity=0, phase=0)
        self._cs.value = True
        self._spi.write(b"\xff" * 10)  # at least 74 clocks with CS high
        self._spi.unlock()
        self._begin()
        try:
            for _ in range(5):
                if self._command(0, 0) == _R1_IDLE:
                    break
            else:
                raise OSError("no SD card")
            r = self._command(8, 0x1AA)
            version2 = not r & _R1_ILLEGAL
            if version2:
                echo = bytearray(4)
                self._spi.readinto(echo, write_value=0xFF)
                if echo[3] != 0xAA:
                    raise OSError("couldn't determine SD card version")
            for _ in range(1000):
                self._command(55, 0)
                if self._command(41, 0x40000000 if version2 else 0) == 0:
                    break
            else:
                raise OSError("timeout waiting for card")
            if version2:
                if self._command(58, 0) != 0:
                    raise OSError("no OCR")
                ocr = bytearray(4)
                self._spi.readinto(ocr, write_value=0xFF)
                self._block_addressing = bool(ocr[0] & 0x40)
            if self._command(9, 0) != 0 or self._read_token() != _TOKEN_START:
                raise OSError("no response from SD card")
            csd = bytearray(18)
            self._spi.readinto(csd, write_value=0xFF)
            if csd[0] >> 6 == 1:
                c_size = (csd[7] & 0x3F) << 16 | csd[8] << 8 | csd[9]
                self._sectors = (c_size + 1) * 1024
            else:
                read_bl_len = csd[5] & 0x0F
                c_size = (csd[6] & 0x03) << 10 | csd[7] << 2 | csd[8] >> 6
                mult = (csd[9] & 0x03) << 1 | csd[10] >> 7
                self._sectors = (c_size + 1) << (mult + 2 + read_bl_len - 9)
            if self._command(16, 512) != 0:
                raise OSError("can't set 512 block size")
        finally:
            self._end()

    # ---- the block-device protocol ----------------------------------------------------------

    def count(self):
        return self._sectors

    def _address(self, block):
        return block if self._block_addressing else block * 512

    def readblocks(self, block, buf):
        n = len(buf) // 512
        if n * 512 != len(buf) or n == 0:
            raise ValueError("buffer must be whole blocks")
        mv = memoryview(buf)
        self._begin()
        try:
            if self._command(18 if n > 1 else 17, self._address(block)) != 0:
                raise OSError(5, "read refused")
            crc = bytearray(2)
            for i in range(n):
                if self._read_token() != _TOKEN_START:
                    raise OSError(5, "no data token")
                self._spi.readinto(mv[i * 512:(i + 1) * 512], write_value=0xFF)
                self._spi.readinto(crc, write_value=0xFF)
            if n > 1:
                self._command(12, 0)
                self._wait_not_busy()
        finally:
            self._end()
        return 0

    def writeblocks(self, block, buf):
        n = len(buf) // 512
        if n * 512 != len(buf) or n == 0:
            raise ValueError("buffer must be whole blocks")
        mv = memoryview(buf)
        self._begin()
        try:
            if self._command(25 if n > 1 else 24, self._address(block)) != 0:
                raise OSError(5, "write refused")
            token = bytes([_TOKEN_MULTI_WRITE if n > 1 else _TOKEN_START])
            for i in range(n):
                self._spi.write(b"\xff")
                self._spi.write(token)
                self._spi.write(mv[i * 512:(i + 1) * 512])
                self._spi.write(b"\xff\xff")  # CRC, unchecked unless CMD59 turned it on
                if self._read_byte() & 0x1F != 0x05:
                    raise OSError(5, "block not accepted")
                self._wait_not_busy()
            if n > 1:
                self._spi.write(bytes([_TOKEN_STOP]))
                self._read_byte()
                self._wait_not_busy()
        finally:
            self._end()
        return 0

    def ioctl(self, op, arg):
        if op == 4:
            return self._sectors
        if op == 5:
            return 512
        return None
