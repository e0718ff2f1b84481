#include "c9py.h"

const c9py_module_t c9py_modules[] = {
#define C9_MODULE(sym, pyname) {pyname, c9py_init_##sym},
#include "c9py_modules.h"
#undef C9_MODULE
};
const size_t c9py_module_count = sizeof(c9py_modules) / sizeof(c9py_modules[0]);
