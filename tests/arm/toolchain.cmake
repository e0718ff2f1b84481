# CMake toolchain for the cores on a Cortex-M, with Debian's arm-none-eabi-gcc and newlib:
#     cmake -S . -B build-arm -DCMAKE_TOOLCHAIN_FILE=tests/arm/toolchain.cmake -DC9_ARM_CPU=m4f
# C9_ARM_CPU: m0plus (ARMv6-M, no FPU: a 32 KB SAMD21-class board) or m4f (ARMv7E-M, single
# precision FPU: an nRF52/STM32F4-class board). The tree then builds the cores and their unit
# tests only (C9_HOST=OFF); tests run under qemu-system-arm on an MPS2 board (run_qemu.sh).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
set(CMAKE_SIZE arm-none-eabi-size)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(C9_ARM_CPU m4f CACHE STRING "Cortex-M to build for: m0plus or m4f")
set_property(CACHE C9_ARM_CPU PROPERTY STRINGS m0plus m4f)
if(C9_ARM_CPU STREQUAL "m0plus")
  set(cpu_flags "-mcpu=cortex-m0plus -mthumb")
  # An ARMv6-M program runs unchanged on the Cortex-M3 of MPS2 AN385 (ARMv6-M is a subset of
  # ARMv7-M), so the instructions executed are the M0+'s.
  set(C9_QEMU_MACHINE mps2-an385)
elseif(C9_ARM_CPU STREQUAL "m4f")
  set(cpu_flags "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
  set(C9_QEMU_MACHINE mps2-an386)
else()
  message(FATAL_ERROR "C9_ARM_CPU must be m0plus or m4f")
endif()
set(CMAKE_C_FLAGS_INIT "${cpu_flags} -ffunction-sections -fdata-sections")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${cpu_flags}")

set(C9_HOST OFF CACHE BOOL "" FORCE)
set(CMAKE_CROSSCOMPILING_EMULATOR ${CMAKE_CURRENT_LIST_DIR}/run_qemu.sh ${C9_QEMU_MACHINE})

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
