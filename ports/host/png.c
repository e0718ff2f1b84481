/* PNG screenshots through libpng (write) and a reader for tests. */
#include "circuit9/host_display.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>

c9_err_t c9_png_write(const char *path, const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t stride,
                      int channels) {
    int color_type = channels == 1   ? PNG_COLOR_TYPE_GRAY
                     : channels == 3 ? PNG_COLOR_TYPE_RGB
                     : channels == 4 ? PNG_COLOR_TYPE_RGBA
                                     : -1;
    if (color_type < 0 || width == 0 || height == 0) {
        return C9_ERR_INVAL;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        return C9_ERR_IO;
    }
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, NULL);
        fclose(f);
        return C9_ERR_NOMEM;
    }
    if (setjmp(png_jmpbuf(png))) { /* libpng's own error path; nothing of ours is live here */
        png_destroy_write_struct(&png, &info);
        fclose(f);
        return C9_ERR_IO;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * stride));
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return fclose(f) == 0 ? C9_OK : C9_ERR_IO;
}

c9_err_t c9_png_read_rgb(const char *path, uint8_t **pixels, uint32_t *width, uint32_t *height) {
    png_image img = {0};
    img.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&img, path)) {
        return C9_ERR_IO;
    }
    img.format = PNG_FORMAT_RGB;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
    if (!buf) {
        png_image_free(&img);
        return C9_ERR_NOMEM;
    }
    if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        free(buf);
        return C9_ERR_IO;
    }
    *pixels = buf;
    *width = img.width;
    *height = img.height;
    return C9_OK;
}

void c9_png_free(uint8_t *pixels) {
    free(pixels);
}
