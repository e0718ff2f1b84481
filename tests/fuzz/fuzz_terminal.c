/* Console terminal: any byte stream, written in pieces, keeps the cursor inside the grid, the ring
 * offset valid and every tile a glyph of the font or the space; never reads past the input. */
#include <stdlib.h>
#include <string.h>

#include "circuit9/display.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) {
        return 0;
    }
    /* The first two bytes pick the grid size, so 1x1 and one-row grids are reached too. */
    uint16_t cols = (uint16_t)(1 + data[0] % 24), rows = (uint16_t)(1 + data[1] % 8);
    data += 2;
    size -= 2;
    const c9_builtin_font_t *font = c9_font_terminal();
    c9_tilegrid_config_t cfg = {.source_type = C9_SOURCE_BITMAP,
                                .source = (void *)font->bitmap,
                                .width = cols,
                                .height = rows,
                                .tile_width = font->glyph_width,
                                .tile_height = font->glyph_height};
    c9_tilegrid_t grid, status;
    if (c9_tilegrid_init(&grid, &cfg, NULL, NULL) != C9_OK) {
        return 0;
    }
    cfg.height = 1;
    if (c9_tilegrid_init(&status, &cfg, NULL, NULL) != C9_OK) {
        c9_tilegrid_release(&grid);
        return 0;
    }
    c9_terminal_t t;
    if (c9_terminal_init(&t, &grid, (cols & 1) ? &status : NULL, font) != C9_OK) {
        abort();
    }
    /* An exact-size heap copy per piece so reading one byte too far is caught. */
    size_t pos = 0, piece = 1;
    while (pos < size) {
        size_t n = size - pos < piece ? size - pos : piece;
        uint8_t *copy = malloc(n);
        memcpy(copy, data + pos, n);
        if (c9_terminal_write(&t, copy, n) != n) {
            abort();
        }
        free(copy);
        pos += n;
        piece = piece * 3 % 17 + 1;
        uint16_t c, r;
        c9_terminal_cursor(&t, &c, &r);
        if (c >= cols || r >= rows || t.cursor_y >= rows || grid.top_left_y >= rows) {
            abort();
        }
    }
    uint32_t glyphs = font->bitmap->width / font->glyph_width * (font->bitmap->height / font->glyph_height);
    for (uint32_t i = 0; i < (uint32_t)cols * rows; i++) {
        if (grid.tiles[i] >= glyphs) {
            abort();
        }
    }
    for (uint32_t i = 0; i < cols; i++) {
        if (status.tiles[i] >= glyphs) {
            abort();
        }
    }
    c9_tilegrid_release(&grid);
    c9_tilegrid_release(&status);
    return 0;
}
