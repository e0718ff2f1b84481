/* Read before every tests/fuzz/fuzz_*.c (the build passes -include): libFuzzer's entry point, which
 * each target defines. */
#ifndef C9_FUZZ_H
#define C9_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
