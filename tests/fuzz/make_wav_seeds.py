#!/usr/bin/python3
"""Seeds for fuzz_wav: small WAV files of each kind WaveFile meets, written with Python's wave
module, plus the variants it has to refuse or skip through (an odd LIST chunk, 18- and 40-byte
fmt chunks, a data chunk longer than the file).

    tests/fuzz/make_wav_seeds.py tests/fuzz/corpus/wav
"""
import io
import os
import struct
import sys
import wave


def pcm(channels, width, rate, frames):
    b = io.BytesIO()
    with wave.open(b, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes((i * 37) & 0xFF for i in range(frames * channels * width)))
    return b.getvalue()


def riff(fmt_body, *chunks):
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body + (b"\0" if len(fmt_body) & 1 else b"")
    for tag, data, *length in chunks:
        n = length[0] if length else len(data)
        body += tag + struct.pack("<I", n) + data + (b"\0" if len(data) & 1 else b"")
    return b"RIFF" + struct.pack("<I", len(body)) + body


def fmt(tag, channels, rate, bits, extra=b""):
    block = channels * bits // 8
    return struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits) + extra


SEEDS = {
    "mono16": pcm(1, 2, 16000, 40),
    "stereo16": pcm(2, 2, 44100, 20),
    "mono8": pcm(1, 1, 8000, 61),
    "stereo8": pcm(2, 1, 11025, 33),
    "fmt18": riff(fmt(1, 1, 22050, 16, b"\0\0"), (b"data", bytes(64))),
    "extensible": riff(fmt(0xFFFE, 2, 48000, 16, struct.pack("<HHI", 22, 16, 3) + b"\x01\x00" +
                           bytes.fromhex("000000001000800000aa00389b71")), (b"data", bytes(range(64)))),
    "list_odd": riff(fmt(1, 1, 8000, 8), (b"LIST", b"INFOISFT\x05\0\0\0abcde"), (b"data", bytes(range(50)))),
    "data_too_long": riff(fmt(1, 2, 8000, 16), (b"data", bytes(30), 4000)),
    "float": riff(fmt(3, 1, 8000, 32), (b"data", bytes(16))),
}

if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "wav")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name + ".wav"), "wb") as f:
            f.write(data)
