/*
 * circuit9-jpeg IN.jpg OUT.(png|ppm|bmp) [--scale N] [--quality] [--profile compact|fast] [--bmp16]
 *
 * Decodes a JPEG with circuit9's decoder and writes it as PNG (RGB888, needs libpng), binary PPM
 * or a Windows BMP that displayio.OnDiskBitmap reads: 24-bit by default, or 16-bit RGB565 with
 * BI_BITFIELDS masks with --bmp16 (half the size, exactly the decoder's pixels). --scale takes
 * 1, 2, 4 or 8 (the divisor) and prepares images for small displays.
 *
 * By default the pixels are a CircuitPython board's (C9_JPEG_TJPGD: what jpegio shows, image size
 * rounded down at 1/2..1/8); --quality uses circuit9's accurate arithmetic instead (libjpeg's
 * accurate integer IDCT, BT.601 colour, sizes rounded up), for firmware that takes the core.
 *
 * RGB565 is widened to 8 bits per channel by bit replication for PNG, PPM and 24-bit BMP.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if C9_HAVE_LIBPNG
#include <png.h>
#endif

#include "circuit9/jpeg.h"

typedef struct img {
    uint16_t *px;
    unsigned w, h;
} img_t;

static int32_t file_read(void *ctx, uint8_t *buf, uint32_t len) {
    FILE *f = ctx;
    size_t n = fread(buf, 1, len, f);
    if (n == 0 && ferror(f))
        return C9_ERR_IO;
    return (int32_t)n;
}

/* Offsets count from the SOI, which starts the file. */
static c9_err_t file_seek(void *ctx, uint32_t offset) {
    return fseek((FILE *)ctx, (long)offset, SEEK_SET) ? C9_ERR_IO : C9_OK;
}

static c9_err_t put(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *pixels) {
    img_t *im = ctx;
    for (unsigned y = 0; y < r->h; y++)
        memcpy(im->px + (size_t)(r->y + y) * im->w + r->x, pixels + (size_t)y * r->stride, r->w * 2u);
    return C9_OK;
}

static void rgb888(uint16_t v, uint8_t *o) {
    o[0] = (uint8_t)((v >> 11) << 3 | (v >> 13));
    o[1] = (uint8_t)(((v >> 5) & 63) << 2 | ((v >> 9) & 3));
    o[2] = (uint8_t)((v & 31) << 3 | ((v >> 2) & 7));
}

static void le16(FILE *f, unsigned v) {
    fputc((int)(v & 255), f);
    fputc((int)((v >> 8) & 255), f);
}
static void le32(FILE *f, uint32_t v) {
    le16(f, v & 0xFFFF);
    le16(f, v >> 16);
}

/* A BMP's file size is a 32-bit field. */
static int bmp_fits(const img_t *im, int bits16) {
    uint64_t stride = ((uint64_t)im->w * (bits16 ? 2u : 3u) + 3u) & ~(uint64_t)3u;
    return 14u + 40u + 12u + stride * im->h <= UINT32_MAX;
}

static int write_bmp(const img_t *im, const char *path, int bits16) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    unsigned bpp = bits16 ? 2 : 3;
    uint32_t stride = ((uint32_t)im->w * bpp + 3u) & ~3u;
    uint32_t hdr = 14 + 40 + (bits16 ? 12 : 0);
    uint32_t size = hdr + stride * im->h;
    fputc('B', f);
    fputc('M', f);
    le32(f, size);
    le32(f, 0);
    le32(f, hdr);
    le32(f, 40);
    le32(f, im->w);
    le32(f, im->h); /* positive height: rows bottom-up, as every BMP reader expects */
    le16(f, 1);
    le16(f, bits16 ? 16 : 24);
    le32(f, bits16 ? 3 : 0); /* BI_BITFIELDS for 565 */
    le32(f, stride * im->h);
    le32(f, 2835);
    le32(f, 2835);
    le32(f, 0);
    le32(f, 0);
    if (bits16) {
        le32(f, 0xF800);
        le32(f, 0x07E0);
        le32(f, 0x001F);
    }
    uint8_t *row = calloc(stride, 1);
    if (!row) {
        fclose(f);
        return -1;
    }
    for (unsigned y = im->h; y-- > 0;) {
        const uint16_t *p = im->px + (size_t)y * im->w;
        for (unsigned x = 0; x < im->w; x++) {
            if (bits16) {
                row[2 * x] = (uint8_t)(p[x] & 255);
                row[2 * x + 1] = (uint8_t)(p[x] >> 8);
            } else {
                uint8_t c[3];
                rgb888(p[x], c);
                row[3 * x] = c[2];
                row[3 * x + 1] = c[1];
                row[3 * x + 2] = c[0];
            }
        }
        fwrite(row, 1, stride, f);
    }
    free(row);
    return fclose(f);
}

static int write_ppm(const img_t *im, const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fprintf(f, "P6\n%u %u\n255\n", im->w, im->h);
    for (size_t i = 0; i < (size_t)im->w * im->h; i++) {
        uint8_t c[3];
        rgb888(im->px[i], c);
        fwrite(c, 1, 3, f);
    }
    return fclose(f);
}

#if C9_HAVE_LIBPNG
static int write_png(const img_t *im, const char *path) {
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    uint8_t *row = malloc((size_t)im->w * 3);
    if (!png || !info || !row) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(row);
        fclose(f);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, im->w, im->h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    for (unsigned y = 0; y < im->h; y++) {
        for (unsigned x = 0; x < im->w; x++)
            rgb888(im->px[(size_t)y * im->w + x], row + 3 * x);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(row);
    return fclose(f);
}
#endif

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && !strcasecmp(s + a - b, suffix);
}

int main(int argc, char **argv) {
    const char *in = NULL, *out = NULL;
    unsigned scale = 0;
    int bmp16 = 0;
    unsigned flags = C9_JPEG_TJPGD;
    c9_jpeg_profile_t prof = C9_JPEG_PROFILE_FAST;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scale") && i + 1 < argc) {
            int n = atoi(argv[++i]);
            scale = n == 1 ? 0 : n == 2 ? 1 : n == 4 ? 2 : n == 8 ? 3 : 99;
        } else if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
            i++;
            prof = !strcmp(argv[i], "compact") ? C9_JPEG_PROFILE_COMPACT : C9_JPEG_PROFILE_FAST;
        } else if (!strcmp(argv[i], "--quality")) {
            flags &= ~C9_JPEG_TJPGD;
        } else if (!strcmp(argv[i], "--bmp16")) {
            bmp16 = 1;
        } else if (!in) {
            in = argv[i];
        } else if (!out) {
            out = argv[i];
        } else {
            in = NULL;
            break;
        }
    }
    if (!in || !out || scale > 3) {
        fprintf(stderr, "usage: circuit9-jpeg IN.jpg OUT.(png|ppm|bmp) [--scale 1|2|4|8] "
                        "[--quality] [--profile compact|fast] [--bmp16]\n");
        return 2;
    }
    FILE *f = fopen(in, "rb");
    if (!f) {
        perror(in);
        return 1;
    }
    static uint8_t work[C9_JPEG_WORKSPACE_FAST];
    c9_jpeg_t *d;
    c9_err_t e = c9_jpeg_open(&d, work, sizeof work, prof, file_read, f);
    img_t im = {0};
    void *coef = NULL;
    if (e == C9_OK) {
        uint16_t w, h;
        c9_jpeg_scaled_size(d, scale, &w, &h);
        if (flags & C9_JPEG_TJPGD) { /* the board's size: partial pixels round off */
            c9_jpeg_info_t info;
            c9_jpeg_get_info(d, &info);
            w = (uint16_t)(info.width >> scale);
            h = (uint16_t)(info.height >> scale);
        }
        im.w = w;
        im.h = h;
        if (ends_with(out, ".bmp") && !bmp_fits(&im, bmp16)) {
            fprintf(stderr, "%s: %ux%u is too large for a BMP file (4 GB)\n", in, im.w, im.h);
            fclose(f);
            return 1;
        }
        /* Up to 65535 x 65535 x 2 bytes (8 GB): say so instead of decoding into nothing. */
        im.px = calloc((size_t)w * h + 1, 2);
        if (!im.px) {
            fprintf(stderr, "%s: not enough memory for a %ux%u image (%llu bytes)\n", in, im.w, im.h,
                    (unsigned long long)w * h * 2);
            fclose(f);
            return 1;
        }
        /* Progressive files need coefficient memory (none at 1/8: the file can seek). */
        c9_jpeg_set_seek(d, file_seek);
        size_t need = 0;
        e = c9_jpeg_coef_size(d, scale, flags, &need);
        coef = need ? malloc(need) : NULL;
        if (e == C9_OK && need)
            e = coef ? c9_jpeg_set_coef_memory(d, coef, need) : C9_ERR_NOMEM;
        if (e == C9_OK)
            e = w && h ? c9_jpeg_decode(d, scale, flags, put, &im) : C9_ERR_RANGE;
    }
    fclose(f);
    free(coef);
    if (e != C9_OK) {
        fprintf(stderr, "%s: %s (%d)\n", in, c9_jpeg_strerror(e), e);
        free(im.px);
        return 1;
    }
    int r;
    if (ends_with(out, ".ppm"))
        r = write_ppm(&im, out);
    else if (ends_with(out, ".bmp"))
        r = write_bmp(&im, out, bmp16);
#if C9_HAVE_LIBPNG
    else if (ends_with(out, ".png"))
        r = write_png(&im, out);
#endif
    else {
        fprintf(stderr, "%s: unknown output type (png, ppm or bmp)\n", out);
        r = -1;
    }
    free(im.px);
    if (r) {
        perror(out);
        return 1;
    }
    return 0;
}
