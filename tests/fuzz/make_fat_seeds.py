#!/usr/bin/python3
"""Seeds for fuzz_fat: FAT12/16/32 volumes made by Debian's mkfs.fat and filled by mtools, bare and
behind a CircuitPython-style MBR, in fuzz_fat's sparse format (device size, write budget, then
{sector, length, leading bytes} for each sector that is not all zeros).

    tests/fuzz/make_fat_seeds.py tests/fuzz/corpus/fat
"""
import os
import struct
import subprocess
import sys
import tempfile

ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", LC_ALL="C.UTF-8", TZ="UTC",
           PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")


def fill(src):
    os.makedirs(os.path.join(src, "lib", "A Long Directory Name"))
    os.makedirs(os.path.join(src, "empty"))
    files = {
        "code.py": b'print("Hello World!")\n',
        "settings.toml": b"",
        "lib/module.py": bytes(range(256)) * 9,
        "lib/A Long Directory Name/file with a long name.txt": b"x" * 1500,
        "\u00e9t\u00e9.txt": "caf\u00e9\n".encode(),
    }
    for name, data in files.items():
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)


def image(path, kib, args):
    subprocess.run(["mkfs.fat", "-C", *args, path, str(kib)], check=True, capture_output=True, env=ENV)
    with tempfile.TemporaryDirectory() as src:
        fill(src)
        subprocess.run(["mcopy", "-s", "-i", path, *sorted(os.listdir(src)), "::/"], check=True, cwd=src,
                       capture_output=True, env=ENV)
    with open(path, "rb") as f:
        return f.read()


def mbr(sectors):
    # As CircuitPython 9 presents CIRCUITPY: one partition of type 0x06 at block 1.
    entry = bytes([0, 0xFF, 0xFF, 0xFF, 0x06, 0xFF, 0xFF, 0xFF]) + struct.pack("<II", 1, sectors)
    return bytes(446) + entry + bytes(48) + b"\x55\xaa"


def seed(data, budget=0):
    out = bytearray(struct.pack("<IB", len(data) // 512, budget))
    for s in range(len(data) // 512):
        block = data[s * 512:(s + 1) * 512].rstrip(b"\0")
        if block:
            out += struct.pack("<IH", s, len(block)) + block
    return bytes(out)


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        img = os.path.join(tmp, "v.img")
        made = {
            "fat12_circuitpy": image(img, 2048, ["-F", "12", "-f", "1", "-r", "512", "-s", "2", "-n", "CIRCUITPY"]),
            "fat12_tiny": image(img + "2", 64, ["-F", "12", "-f", "1", "-r", "128", "-s", "1"]),
            "fat16": image(img + "3", 8192, ["-F", "16", "-s", "2"]),
            "fat32": image(img + "4", 34000, ["-F", "32", "-s", "1"]),
        }
        for name, data in made.items():
            with open(os.path.join(outdir, name), "wb") as f:
                f.write(seed(data))
        with open(os.path.join(outdir, "fat12_mbr"), "wb") as f:
            data = made["fat12_circuitpy"]
            f.write(seed(mbr(len(data) // 512) + data))
        with open(os.path.join(outdir, "fat12_write_budget"), "wb") as f:
            f.write(seed(made["fat12_circuitpy"], budget=5))


if __name__ == "__main__":
    main(sys.argv[1])
