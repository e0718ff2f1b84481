/* BMP header parser and on-disk pixel reads: no over-read of the header or the file, whatever the
 * header claims. */
#include <stdlib.h>
#include <string.h>

#include "circuit9/display.h"

typedef struct {
    const uint8_t *data;
    size_t size;
} file_t;

static c9_err_t read_cb(void *ctx, uint32_t off, void *buf, size_t len) {
    file_t *f = ctx;
    if (off > f->size || len > f->size - off) {
        return C9_ERR_IO;
    }
    memcpy(buf, f->data + off, len);
    return C9_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    c9_bmp_info_t info;
    c9_bmp_parse_header(copy, size, &info);
    file_t f = {copy, size};
    c9_ondiskbitmap_t odb;
    if (c9_ondiskbitmap_open(&odb, read_cb, &f, NULL) == C9_OK) {
        c9_palette_t p;
        if (odb.info.palette_count && c9_ondiskbitmap_load_palette(&odb, &p, NULL) == C9_OK) {
            c9_palette_release(&p);
        }
        /* A few pixels across the image, corners included. */
        int w = odb.info.width, h = odb.info.height;
        int xs[] = {0, w / 2, w - 1}, ys[] = {0, h / 2, h - 1};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                (void)c9_ondiskbitmap_get_pixel(&odb, xs[i], ys[j]);
            }
        }
        c9_ondiskbitmap_close(&odb);
    }
    free(copy);
    return 0;
}
