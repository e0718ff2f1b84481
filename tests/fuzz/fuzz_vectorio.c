/* vectorio shapes: a shape from bytes (a polygon's points are the input's int16 pairs, so huge,
 * repeated, collinear and self-crossing point lists all occur) composed onto a small display at any
 * rotation inside a scaled, offset group. Nothing may crash, overflow or read past the points, and
 * every composed pixel must agree with the per-pixel rule (the compositor works in row spans, with a
 * per-pixel fallback for rows crossing many edges).
 * Input: kind/rotation byte, group scale byte, shape x, y and group x, y (int16 each), then the
 * geometry: radius or width, height (uint16), or the points (x, y int16 pairs). */
#include <stdlib.h>
#include <string.h>

#include "circuit9/display.h"

#define W 48
#define H 32

static int16_t s16(const uint8_t *p) {
    return (int16_t)(uint16_t)(p[0] | p[1] << 8);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 10) {
        return 0;
    }
    uint8_t kind = data[0] % 3;
    uint16_t rotation = (uint16_t)(90 * ((data[0] >> 2) & 3));
    uint16_t scale = (uint16_t)(1 + data[1] % 4);
    int16_t sx = s16(data + 2), sy = s16(data + 4), gx = s16(data + 6), gy = s16(data + 8);
    /* Mostly near the display, sometimes anywhere: positions come from the high bit. */
    if (!(data[0] & 0x80)) {
        sx = (int16_t)(sx % 40);
        sy = (int16_t)(sy % 40);
        gx = (int16_t)(gx % 20);
        gy = (int16_t)(gy % 20);
    }
    data += 10;
    size -= 10;

    c9_palette_t pal;
    if (c9_palette_alloc(&pal, 2, false, NULL) != C9_OK) {
        return 0;
    }
    c9_palette_set(&pal, 1, 0xFFFFFF);
    c9_vectorshape_t s;
    c9_vectorshape_init(&s, C9_SHADER_PALETTE, &pal, sx, sy, 1);
    int16_t *points = NULL;
    size_t npoints = 0;
    if (kind == 0 && size >= 2) {
        c9_vectorshape_set_circle(&s, (uint16_t)(s16(data) & 0x7FFF));
    } else if (kind == 1 && size >= 4) {
        c9_vectorshape_set_rectangle(&s, (uint16_t)(s16(data) & 0x7FFF), (uint16_t)(s16(data + 2) & 0x7FFF));
    } else {
        npoints = size / 4;
        /* an exact-size copy so reading one point too far is caught */
        points = malloc(npoints ? npoints * 4 : 1);
        for (size_t i = 0; i < npoints * 2; i++) {
            points[i] = s16(data + 2 * i);
        }
        c9_vectorshape_set_polygon(&s, points, (uint32_t)npoints);
    }

    c9_group_t root, g;
    c9_group_init(&root, NULL);
    c9_group_init(&g, NULL);
    g.x = gx;
    g.y = gy;
    g.scale = scale;
    c9_group_append(&root, &g.layer);
    c9_group_append(&g, &s.layer);

    c9_display_config_t cfg;
    c9_display_config_defaults(&cfg);
    cfg.width = rotation % 180 ? H : W;
    cfg.height = rotation % 180 ? W : H;
    cfg.rotation = rotation;
    cfg.auto_refresh = false;
    c9_display_t *d = malloc(sizeof(*d));
    if (c9_display_init(d, &cfg) != C9_OK) {
        abort();
    }
    c9_display_set_root_group(d, &root);
    uint16_t out[W * H];
    c9_rect_t all = {0, 0, W, H};
    c9_display_compose(d, &all, out);

    int64_t ox = gx + (int64_t)scale * sx, oy = gy + (int64_t)scale * sy;
    for (int py = 0; py < H; py++) {
        for (int px = 0; px < W; px++) {
            int64_t lx, ly;
            switch (rotation) {
            case 90: lx = py, ly = W - 1 - px; break;
            case 180: lx = W - 1 - px, ly = H - 1 - py; break;
            case 270: lx = H - 1 - py, ly = px; break;
            default: lx = px, ly = py; break;
            }
            bool in = c9_vectorshape_pixel(&s, (int32_t)(lx - ox), (int32_t)(ly - oy));
            if ((out[py * W + px] != 0) != in) {
                abort();
            }
        }
    }
    /* contains() takes the root's coordinates: the same rule at the same origin. */
    if (c9_vectorshape_contains(&s, (int32_t)ox, (int32_t)oy) != c9_vectorshape_pixel(&s, 0, 0)) {
        abort();
    }

    c9_display_release(d);
    free(d);
    c9_group_release(&g);
    c9_group_release(&root);
    free(points);
    c9_palette_release(&pal);
    return 0;
}
