#!/usr/bin/env bash
# Installs the Debian packages circuit9 builds and tests with, and nothing when all are present.
# Called by `make demo` and `make test`; safe to run again. Uses sudo when not root.
set -euo pipefail

# Required to build and run the tests.
required=(
  build-essential cmake pkg-config
  python3 python3-dev python3-pytest
  libcmocka-dev libpng-dev
  clang libclang-rt-14-dev llvm clang-format
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm  # the cores on Cortex-M (tests/arm/)
  valgrind
  libjpeg62-turbo-dev libturbojpeg0-dev libstb-dev python3-pil
  python3-numpy  # ulab runs on it (supervisor/cpmods/ulab.py)
  dosfstools mtools  # FAT tests: mkfs.fat / fsck.fat and mtools are the references
)
# Optional extras used where present (window, USB, TLS, network peers, firmware size checks).
optional=(
  libsdl2-dev libusb-1.0-0-dev libmbedtls-dev
  xfonts-terminus
  xvfb  # tests/integration/test_display_window.py: the SDL2 window on a virtual X server
  # Network peers the net tests start on loopback (each test skips, saying why, without its
  # peer); curl is net_bench's reference client.
  nginx-light mosquitto openssl curl
  umockdev libumockdev-dev  # tests/unit/test_usb_libusb.c: the libusb back-end on faked usbdevfs
  libpcap0.8  # tests/unit/test_usb_replay.c: libpcap reads and writes our usbmon captures
)

missing=()
for p in "${required[@]}" "${optional[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Required packages must install; optional ones are tried one by one so a missing one is not fatal.
req_missing=()
for p in "${required[@]}"; do
  for m in "${missing[@]}"; do [ "$p" = "$m" ] && req_missing+=("$p"); done
done
if [ ${#req_missing[@]} -gt 0 ]; then
  $SUDO apt-get install -y -qq --no-install-recommends "${req_missing[@]}"
fi
for p in "${optional[@]}"; do
  for m in "${missing[@]}"; do
    if [ "$p" = "$m" ]; then
      $SUDO apt-get install -y -qq --no-install-recommends "$p" || echo "install-deps: optional $p not installed"
    fi
  done
done
