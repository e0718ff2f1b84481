/* fontio.BuiltinFont lookups: codepoint -> tile index through sorted ranges. */
#include "circuit9/display.h"

int32_t c9_font_tile(const c9_builtin_font_t *f, uint32_t cp) {
    uint32_t lo = 0, hi = f->range_count;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        const c9_glyph_range_t *r = &f->ranges[mid];
        if (cp < r->first) {
            hi = mid;
        } else if (cp >= r->first + r->count) {
            lo = mid + 1;
        } else {
            return (int32_t)(r->tile + (cp - r->first));
        }
    }
    return -1;
}
