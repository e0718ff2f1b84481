/*
 * The FAST profile's colour tables (the converters themselves are in jpeg_colour.h, inlined into
 * the decode loops).
 */
#include "jpeg_colour.h"

#if C9_JPEG_FAST_PROFILE && C9_JPEG_QUALITY_MODE
void c9_jpeg_colour_tables(fastx_t *fx, bool swap) {
    const cconv_t *cc = &no_bias;
    for (int i = 0; i < 768; i++) {
        int v = i - 256, r = v + cc->br, g = v + cc->bg, b = v + cc->bb;
        r = r < 0 ? 0 : r > 255 ? 255 : r;
        g = g < 0 ? 0 : g > 255 ? 255 : g;
        b = b < 0 ? 0 : b > 255 ? 255 : b;
        uint16_t pr = (uint16_t)((r & 0xF8) << 8), pg = (uint16_t)((g & 0xFC) << 3), pb = (uint16_t)(b >> 3);
        if (swap) {
            pr = bswap16(pr);
            pg = bswap16(pg);
            pb = bswap16(pb);
        }
        fx->u.c.rgb[0][i] = pr;
        fx->u.c.rgb[1][i] = pg;
        fx->u.c.rgb[2][i] = pb;
    }
    for (int i = 0; i < 256; i++) {
        fx->u.c.rcr[i] = (int16_t)term_rcr(i, cc);
        fx->u.c.gcr[i] = term_gcr(i, cc);
        fx->u.c.gcb[i] = term_gcb(i);
        fx->u.c.bcb[i] = (int16_t)term_bcb(i, cc);
    }
}
#endif
