/*
 * bitmaptools: copy, blend and fill operations. The drawing primitives (lines, polygons,
 * circles, flood fill) live in bitmaptools_draw.c, the loaders (arrayblit, readinto) and dither
 * in bitmaptools_io.c.
 *
 * Behaviour follows CircuitPython 9.2.9's shared-module/bitmaptools. Where it departs, the
 * comment at the spot says so and why; the list is in bitmaptools_internal.h.
 */
#include "circuit9/bitmaptools.h"
#include "bitmaptools_internal.h"

#include <math.h>
#include <string.h>

c9_err_t c9__bt_writable(const c9_bitmap_t *b) {
    if (!b || !b->data) {
        return C9_ERR_BADF;
    }
    if (b->read_only) {
        return C9_ERR_PERM;
    }
    return C9_OK;
}

static int16_t clamp16(long v) {
    return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

void c9__bt_dirty(c9_bitmap_t *b, long x1, long y1, long x2, long y2) {
    /* CircuitPython canonicalises the area before the union, so corners may come in any order. */
    if (x1 > x2) {
        long t = x1;
        x1 = x2;
        x2 = t;
    }
    if (y1 > y2) {
        long t = y1;
        y1 = y2;
        y2 = t;
    }
    c9_rect_t r = {clamp16(x1), clamp16(y1), clamp16(x2), clamp16(y2)};
    c9_bitmap_mark_dirty(b, &r);
}

/* ---- blit ---------------------------------------------------------------------------------- */

static size_t bytes_per_value(const c9_bitmap_t *b) {
    return b->bits_per_value >= 8 ? b->bits_per_value / 8u : 0;
}

c9_err_t c9_bitmaptools_blit_block16(c9_bitmap_t *dest, int x, int y, const uint16_t *px, size_t stride, int w, int h,
                                     c9_opt_index_t skip_source, c9_opt_index_t skip_dest, c9_rect_t *written) {
    *written = (c9_rect_t){0, 0, 0, 0};
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (w < 0 || h < 0 || (size_t)w > stride) {
        return C9_ERR_INVAL;
    }
    /* Clip to the destination, moving the source start along with it. */
    long sx = 0, sy = 0, dx = x, dy = y;
    if (dx < 0) {
        sx = -dx;
        dx = 0;
    }
    if (dy < 0) {
        sy = -dy;
        dy = 0;
    }
    long cw = C9_MIN((long)w - sx, (long)dest->width - dx), ch = C9_MIN((long)h - sy, (long)dest->height - dy);
    if (cw <= 0 || ch <= 0) {
        return C9_OK;
    }
    bool plain = dest->bits_per_value == 16 && !skip_source.set && !skip_dest.set;
    for (long j = 0; j < ch; j++) {
        const uint16_t *s = px + (size_t)(sy + j) * stride + (size_t)sx;
        if (plain) {
            uint16_t *d = (uint16_t *)(dest->data + (size_t)(dy + j) * dest->stride_words) + dx;
            memcpy(d, s, (size_t)cw * sizeof *d);
            continue;
        }
        for (long i = 0; i < cw; i++) {
            uint32_t v = s[i];
            if (skip_source.set && v == skip_source.value) {
                continue;
            }
            if (skip_dest.set && c9_bitmap_get_unchecked(dest, (int)(dx + i), (int)(dy + j)) == skip_dest.value) {
                continue;
            }
            c9_bitmap_set_unchecked(dest, (int)(dx + i), (int)(dy + j), v);
        }
    }
    *written = (c9_rect_t){(int16_t)dx, (int16_t)dy, (int16_t)(dx + cw), (int16_t)(dy + ch)};
    return C9_OK;
}

c9_err_t c9_bitmaptools_blit(c9_bitmap_t *dest, const c9_bitmap_t *src, int x, int y, const c9_rect_t *src_area,
                             c9_opt_index_t skip_source, c9_opt_index_t skip_dest) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (!src || !src->data) {
        return C9_ERR_BADF;
    }
    if (src->bits_per_value > dest->bits_per_value) {
        return C9_ERR_INVAL;
    }
    long sx1 = 0, sy1 = 0, sx2 = src->width, sy2 = src->height;
    if (src_area) {
        sx1 = src_area->x1;
        sy1 = src_area->y1;
        sx2 = C9_MIN((long)src_area->x2, (long)src->width);
        sy2 = C9_MIN((long)src_area->y2, (long)src->height);
    }
    long dx = x, dy = y;
    /* CircuitPython's binding never lets the area start outside the source; the core moves the
     * destination along instead, so that any input stays in bounds. */
    if (sx1 < 0) {
        dx -= sx1;
        sx1 = 0;
    }
    if (sy1 < 0) {
        dy -= sy1;
        sy1 = 0;
    }
    if (sx2 <= sx1 || sy2 <= sy1) {
        return C9_OK;
    }
    long w = sx2 - sx1, h = sy2 - sy1;
    c9__bt_dirty(dest, dx, dy, C9_MIN(dx + w, (long)dest->width), C9_MIN(dy + h, (long)dest->height));

    /* The part of the copy that lands inside the destination. */
    long cx1 = C9_MAX(dx, 0L), cy1 = C9_MAX(dy, 0L);
    long cx2 = C9_MIN(dx + w, (long)dest->width), cy2 = C9_MIN(dy + h, (long)dest->height);
    if (cx2 <= cx1 || cy2 <= cy1) {
        return C9_OK;
    }
    long ox = sx1 - dx, oy = sy1 - dy; /* source = destination + offset */
    /* CircuitPython walks backwards along an axis where the destination starts after the source
     * area. When src is dest this reads every pixel before it is overwritten, so the result is
     * that of copying from a snapshot; the row-major walk below keeps that property. */
    bool x_rev = dx > sx1;
    bool y_rev = dy > sy1;
    bool aliased = src->data == dest->data;
    if (!aliased) {
        x_rev = y_rev = false;
    }

    size_t bpv_bytes = bytes_per_value(dest);
    if (!skip_source.set && !skip_dest.set && src->bits_per_value == dest->bits_per_value && bpv_bytes) {
        /* Row copies: memmove handles overlap within a row, and the row order handles the rest. */
        size_t n = (size_t)(cx2 - cx1) * bpv_bytes;
        for (long i = 0; i < cy2 - cy1; i++) {
            long yd = y_rev ? cy2 - 1 - i : cy1 + i;
            uint8_t *d = (uint8_t *)(dest->data + (size_t)yd * dest->stride_words) + (size_t)cx1 * bpv_bytes;
            const uint8_t *s =
                (const uint8_t *)(src->data + (size_t)(yd + oy) * src->stride_words) + (size_t)(cx1 + ox) * bpv_bytes;
            memmove(d, s, n);
        }
        return C9_OK;
    }
    for (long i = 0; i < cy2 - cy1; i++) {
        long yd = y_rev ? cy2 - 1 - i : cy1 + i;
        for (long j = 0; j < cx2 - cx1; j++) {
            long xd = x_rev ? cx2 - 1 - j : cx1 + j;
            uint32_t v = c9_bitmap_get_unchecked(src, (int)(xd + ox), (int)(yd + oy));
            if (skip_source.set && v == skip_source.value) {
                continue;
            }
            if (skip_dest.set && c9_bitmap_get_unchecked(dest, (int)xd, (int)yd) == skip_dest.value) {
                continue;
            }
            c9_bitmap_set_unchecked(dest, (int)xd, (int)yd, v);
        }
    }
    return C9_OK;
}

/* ---- rotozoom ------------------------------------------------------------------------------ */

void c9_bitmaptools_rotozoom_defaults(c9_rotozoom_t *p, const c9_bitmap_t *dest, const c9_bitmap_t *src) {
    memset(p, 0, sizeof(*p));
    p->ox = (int16_t)(dest->width / 2);
    p->oy = (int16_t)(dest->height / 2);
    p->dest_clip = (c9_rect_t){0, 0, (int16_t)dest->width, (int16_t)dest->height};
    p->px = (int16_t)(src->width / 2);
    p->py = (int16_t)(src->height / 2);
    p->source_clip = (c9_rect_t){0, 0, (int16_t)src->width, (int16_t)src->height};
    p->angle = 0.0f;
    p->scale = 1.0f;
    p->skip = C9_NO_INDEX;
}

/* float -> int16_t as a Cortex-M does it: saturate to int32 (NaN -> 0), then keep 16 bits.
 * A plain C cast of an out-of-range float is undefined behaviour. */
static int16_t f_to_i16(float v) {
    int32_t i;
    if (!(v == v)) {
        i = 0;
    } else if (v >= 2147483647.0f) {
        i = INT32_MAX;
    } else if (v <= -2147483648.0f) {
        i = INT32_MIN;
    } else {
        i = (int32_t)v;
    }
    return (int16_t)(uint16_t)(uint32_t)i;
}

/* Orders a clip rectangle's corners and clamps it to the bitmap, as CircuitPython's binding
 * does before calling its core. */
static c9_rect_t clamp_clip(c9_rect_t r, const c9_bitmap_t *b) {
    if (r.x1 > r.x2) {
        int16_t t = r.x1;
        r.x1 = r.x2;
        r.x2 = t;
    }
    if (r.y1 > r.y2) {
        int16_t t = r.y1;
        r.y1 = r.y2;
        r.y2 = t;
    }
    r.x1 = (int16_t)C9_MIN(C9_MAX(r.x1, 0), (int)b->width);
    r.x2 = (int16_t)C9_MIN(C9_MAX(r.x2, 0), (int)b->width);
    r.y1 = (int16_t)C9_MIN(C9_MAX(r.y1, 0), (int)b->height);
    r.y2 = (int16_t)C9_MIN(C9_MAX(r.y2, 0), (int)b->height);
    return r;
}

static void grow_box(float dx, float dy, int16_t *minx, int16_t *maxx, int16_t *miny, int16_t *maxy) {
    if (dx < *minx) {
        *minx = f_to_i16(dx);
    }
    if (dx > *maxx) {
        *maxx = f_to_i16(dx);
    }
    if (dy < *miny) {
        *miny = f_to_i16(dy);
    }
    if (dy > *maxy) {
        *maxy = f_to_i16(dy);
    }
}

c9_err_t c9_bitmaptools_rotozoom(c9_bitmap_t *dest, const c9_bitmap_t *src, const c9_rotozoom_t *p) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    if (!src || !src->data) {
        return C9_ERR_BADF;
    }
    if (src->bits_per_value > dest->bits_per_value) {
        return C9_ERR_INVAL;
    }
    c9_rect_t dc = clamp_clip(p->dest_clip, dest);
    c9_rect_t sc = clamp_clip(p->source_clip, src);
    /* Single precision throughout: CircuitPython's boards use float for mp_float_t, and the
     * incremental stepping below decides edge pixels by its rounding. */
    const float ox = p->ox, oy = p->oy, px = p->px, py = p->py, scale = p->scale;
    const float sw = (float)src->width, sh = (float)src->height;
    float sinA = sinf(p->angle), cosA = cosf(p->angle);

    /* Bounding box of the source's corners in the destination, starting from an empty box. */
    int16_t minx = dc.x2, miny = dc.y2, maxx = dc.x1, maxy = dc.y1;
    grow_box(-cosA * px * scale + sinA * py * scale + ox, -sinA * px * scale - cosA * py * scale + oy, &minx, &maxx,
             &miny, &maxy);
    grow_box(cosA * (sw - px) * scale + sinA * py * scale + ox, sinA * (sw - px) * scale - cosA * py * scale + oy,
             &minx, &maxx, &miny, &maxy);
    grow_box(cosA * (sw - px) * scale - sinA * (sh - py) * scale + ox,
             sinA * (sw - px) * scale + cosA * (sh - py) * scale + oy, &minx, &maxx, &miny, &maxy);
    grow_box(-cosA * px * scale - sinA * (sh - py) * scale + ox, -sinA * px * scale + cosA * (sh - py) * scale + oy,
             &minx, &maxx, &miny, &maxy);
    if (minx < dc.x1) {
        minx = dc.x1;
    }
    if (maxx > dc.x2 - 1) {
        maxx = (int16_t)(dc.x2 - 1);
    }
    if (miny < dc.y1) {
        miny = dc.y1;
    }
    if (maxy > dc.y2 - 1) {
        maxy = (int16_t)(dc.y2 - 1);
    }

    float dvCol = cosA / scale;
    float duCol = sinA / scale;
    float duRow = dvCol;
    float dvRow = -duCol;
    float startu = px - (ox * dvCol + oy * duCol);
    float startv = py - (ox * dvRow + oy * duRow);
    float rowu = startu + miny * duCol;
    float rowv = startv + miny * dvCol;

    /* CircuitPython canonicalises {minx, miny, maxx + 1, maxy + 1} even when the box is empty,
     * which marks a spurious area; an empty box marks nothing here. */
    if (minx > maxx || miny > maxy) {
        return C9_OK;
    }
    c9__bt_dirty(dest, minx, miny, maxx + 1, maxy + 1);
    for (int yy = miny; yy <= maxy; yy++) {
        float u = rowu + minx * duRow;
        float v = rowv + minx * dvRow;
        for (int xx = minx; xx <= maxx; xx++) {
            if (u >= sc.x1 && u < sc.x2 && v >= sc.y1 && v < sc.y2) {
                uint32_t c = c9_bitmap_get_unchecked(src, (int)u, (int)v);
                if (!p->skip.set || c != p->skip.value) {
                    c9_bitmap_set_unchecked(dest, xx, yy, c);
                }
            }
            u += duRow;
            v += dvRow;
        }
        rowu += duCol;
        rowv += dvCol;
    }
    return C9_OK;
}

/* ---- alphablend ---------------------------------------------------------------------------- */

/* factor * 256 as CircuitPython truncates it, bounded so that the 64-bit products below cannot
 * overflow (any factor beyond +-4096 saturates every channel anyway). */
static int64_t ifactor(float f) {
    float v = f * 256.0f;
    if (!(v == v)) {
        return 0;
    }
    if (v > 1048576.0f) {
        v = 1048576.0f;
    } else if (v < -1048576.0f) {
        v = -1048576.0f;
    }
    return (int64_t)v;
}

/* CircuitPython divides by zero here when both factors are 0; a Cortex-M returns 0 for that. */
static int64_t div0(int64_t a, int64_t b) {
    return b ? a / b : 0;
}

/* Screen: Sca + Dca - Sca x Dca; Normal (src-over): Sca + Dca x (1 - alpha2); both on values
 * premultiplied by factor x 256. */
static int64_t blend_channel(int64_t dca, int64_t sca, int64_t if2, c9_blendmode_t mode) {
    if (mode == C9_BLENDMODE_SCREEN) {
        return sca + dca - (sca * dca / 65536);
    }
    return sca + dca * (256 - if2) / 256;
}

static int64_t clampl(int64_t v, int64_t lo, int64_t hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* One source scaled by its factor, channel by channel. CircuitPython multiplies the masked
 * channels in place, which spills low bits into the next channel, and forgets to swap the bytes
 * back for the _SWAPPED colorspaces; both are fixed here. */
static uint16_t scale565(int spix, int64_t f) {
    int64_t r = clampl(((spix >> 11) & 0x1f) * f / 256, 0, 0x1f);
    int64_t g = clampl(((spix >> 5) & 0x3f) * f / 256, 0, 0x3f);
    int64_t b = clampl((spix & 0x1f) * f / 256, 0, 0x1f);
    return (uint16_t)((r << 11) | (g << 5) | b);
}

/* One alphablend call's constants: factors * 256 and their blended alpha, mode, skip values. */
typedef struct {
    int64_t if1, if2, ifb;
    c9_blendmode_t mode;
    c9_opt_index_t skip1, skip2;
    bool swap; /* RGB565_SWAPPED / BGR565_SWAPPED */
} blend_t;

static void blend_row_l8(const blend_t *k, uint8_t *d, const uint8_t *s1, const uint8_t *s2, int width) {
    /* Locals: the byte stores to d could alias *k for the compiler. */
    const int64_t if1 = k->if1, if2 = k->if2, ifb = k->ifb;
    const c9_blendmode_t mode = k->mode;
    const bool skip1 = k->skip1.set, skip2 = k->skip2.set;
    const uint8_t v1 = (uint8_t)k->skip1.value, v2 = (uint8_t)k->skip2.value;
    for (int x = 0; x < width; x++) {
        /* CircuitPython advances a source pointer only when that source is blended, so a skipped
         * pixel shifts the rest of the row; each source is indexed by x here. */
        bool b1 = !skip1 || s1[x] != v1;
        bool b2 = !skip2 || s2[x] != v2;
        int64_t pixel;
        if (b1 && b2) {
            int64_t sda = s1[x] * if1, sca = s2[x] * if2;
            pixel = div0(blend_channel(sda, sca, if2, mode), ifb);
        } else if (b1) {
            pixel = s1[x] * if1 / 256;
        } else if (b2) {
            pixel = s2[x] * if2 / 256;
        } else {
            pixel = d[x];
        }
        d[x] = (uint8_t)clampl(pixel, 0, 255);
    }
}

/* Both sources blended, on unswapped 565 values. Channels are widened to 8 bits by shifting; BGR
 * only swaps the meaning of the outer fields, which the blend treats alike. */
static uint16_t blend565(const blend_t *k, int p1, int p2) {
    int64_t rd = ((p1 & 0xf800) >> 8) * k->if1, gd = ((p1 & 0x07e0) >> 3) * k->if1, bd = ((p1 & 0x001f) << 3) * k->if1;
    int64_t rs = ((p2 & 0xf800) >> 8) * k->if2, gs = ((p2 & 0x07e0) >> 3) * k->if2, bs = ((p2 & 0x001f) << 3) * k->if2;
    int64_t r = div0(blend_channel(rd, rs, k->if2, k->mode), k->ifb);
    int64_t g = div0(blend_channel(gd, gs, k->if2, k->mode), k->ifb);
    int64_t b = div0(blend_channel(bd, bs, k->if2, k->mode), k->ifb);
    /* CircuitPython shifts back and masks, so out-of-range channels wrap. */
    return (uint16_t)((((uint64_t)r << 8) & 0xf800) | (((uint64_t)g << 3) & 0x07e0) | (((uint64_t)b >> 3) & 0x001f));
}

static void blend_row_565(const blend_t *k, uint16_t *d, const uint16_t *s1, const uint16_t *s2, int width) {
    for (int x = 0; x < width; x++) {
        int p1 = k->swap ? c9_bswap16(s1[x]) : s1[x];
        int p2 = k->swap ? c9_bswap16(s2[x]) : s2[x];
        /* Skip values compare against the unswapped 565 value, as in CircuitPython. */
        bool b1 = !k->skip1.set || (uint32_t)p1 != k->skip1.value;
        bool b2 = !k->skip2.set || (uint32_t)p2 != k->skip2.value;
        uint16_t pixel;
        if (b1 && b2) {
            pixel = blend565(k, p1, p2);
        } else if (b1) {
            pixel = scale565(p1, k->if1);
        } else if (b2) {
            pixel = scale565(p2, k->if2);
        } else {
            continue; /* dest keeps its value */
        }
        d[x] = k->swap ? c9_bswap16(pixel) : pixel;
    }
}

/* Same size and depth for all three, and a depth the colorspace allows. */
static c9_err_t check_blend(const c9_bitmap_t *dest, const c9_bitmap_t *src1, const c9_bitmap_t *src2,
                            c9_colorspace_t colorspace) {
    if (!src1 || !src2 || !src1->data || !src2->data) {
        return C9_ERR_BADF;
    }
    if (dest->width != src1->width || dest->height != src1->height || dest->bits_per_value != src1->bits_per_value ||
        dest->width != src2->width || dest->height != src2->height || dest->bits_per_value != src2->bits_per_value) {
        return C9_ERR_INVAL;
    }
    bool swap = colorspace == C9_COLORSPACE_RGB565_SWAPPED || colorspace == C9_COLORSPACE_BGR565_SWAPPED;
    if (colorspace == C9_COLORSPACE_L8
            ? dest->bits_per_value != 8
            : (dest->bits_per_value != 16 ||
               (colorspace != C9_COLORSPACE_RGB565 && colorspace != C9_COLORSPACE_BGR565 && !swap))) {
        return C9_ERR_INVAL;
    }
    return C9_OK;
}

c9_err_t c9_bitmaptools_alphablend(c9_bitmap_t *dest, const c9_bitmap_t *src1, const c9_bitmap_t *src2,
                                   c9_colorspace_t colorspace, float factor1, float factor2, c9_blendmode_t mode,
                                   c9_opt_index_t skip1, c9_opt_index_t skip2) {
    c9_err_t err = c9__bt_writable(dest);
    if (err == C9_OK) {
        err = check_blend(dest, src1, src2, colorspace);
    }
    if (err != C9_OK) {
        return err;
    }
    c9__bt_dirty(dest, 0, 0, dest->width, dest->height);
    blend_t k = {.if1 = ifactor(factor1), .if2 = ifactor(factor2), .mode = mode, .skip1 = skip1, .skip2 = skip2};
    k.swap = colorspace == C9_COLORSPACE_RGB565_SWAPPED || colorspace == C9_COLORSPACE_BGR565_SWAPPED;
    /* Products are 64-bit: CircuitPython's 32-bit ints overflow for factors near 1 in Screen
     * mode (255*256 squared), which gives wrong, saturated pixels there. */
    k.ifb = k.if1 + k.if2 - k.if1 * k.if2 / 256;
    for (int y = 0; y < dest->height; y++) {
        if (colorspace == C9_COLORSPACE_L8) {
            blend_row_l8(&k, (uint8_t *)(dest->data + (size_t)y * dest->stride_words),
                         (const uint8_t *)(src1->data + (size_t)y * src1->stride_words),
                         (const uint8_t *)(src2->data + (size_t)y * src2->stride_words), dest->width);
        } else {
            blend_row_565(&k, (uint16_t *)(dest->data + (size_t)y * dest->stride_words),
                          (const uint16_t *)(src1->data + (size_t)y * src1->stride_words),
                          (const uint16_t *)(src2->data + (size_t)y * src2->stride_words), dest->width);
        }
    }
    return C9_OK;
}

/* ---- fill_region --------------------------------------------------------------------------- */

c9_err_t c9_bitmaptools_fill_region(c9_bitmap_t *dest, int x1, int y1, int x2, int y2, uint32_t value) {
    c9_err_t err = c9__bt_writable(dest);
    if (err != C9_OK) {
        return err;
    }
    long ax1 = C9_MIN(x1, x2), ax2 = C9_MAX(x1, x2), ay1 = C9_MIN(y1, y2), ay2 = C9_MAX(y1, y2);
    ax1 = C9_MAX(ax1, 0L);
    ay1 = C9_MAX(ay1, 0L);
    ax2 = C9_MIN(ax2, (long)dest->width);
    ay2 = C9_MIN(ay2, (long)dest->height);
    if (ax2 <= ax1 || ay2 <= ay1) {
        return C9_OK;
    }
    c9__bt_dirty(dest, ax1, ay1, ax2, ay2);
    value &= dest->bitmask;
    for (long y = ay1; y < ay2; y++) {
        if (dest->bits_per_value == 8) {
            memset((uint8_t *)(dest->data + (size_t)y * dest->stride_words) + ax1, (int)value, (size_t)(ax2 - ax1));
            continue;
        }
        for (long x = ax1; x < ax2; x++) {
            c9_bitmap_set_unchecked(dest, (int)x, (int)y, value);
        }
    }
    return C9_OK;
}
