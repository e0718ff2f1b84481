/*
 * circuit9 JPEG decoder: Huffman-coded JPEG (baseline, extended, progressive) to RGB565, streamed
 * MCU by MCU, in caller memory.
 *
 * The decoder never allocates: the caller gives it work memory of c9_jpeg_workspace_size(profile)
 * bytes (any alignment), a read callback that supplies the file sequentially (files, sockets and
 * buffers all work), and for each decode an output callback that receives one rectangle of
 * RGB565 pixels at a time (one MCU, clipped to the output area, packed row by row).
 *
 *     static uint8_t work[C9_JPEG_WORKSPACE_COMPACT];
 *     c9_jpeg_t *dec;
 *     c9_err_t err = c9_jpeg_open(&dec, work, sizeof work, C9_JPEG_PROFILE_COMPACT, my_read, &file);
 *     if (err == C9_OK) {
 *         c9_jpeg_info_t info;
 *         c9_jpeg_get_info(dec, &info);            // full-size width and height
 *         err = c9_jpeg_decode(dec, 0, C9_JPEG_SWAP_BYTES | C9_JPEG_TJPGD, my_output, &bitmap);
 *     }
 *
 * Profiles: COMPACT keeps all state in about 3.4 KB (TJpgDec's 3,500-byte pool); FAST adds
 * Huffman lookup tables that also decode the coefficient value, and colour lookup tables, in at
 * most 16 KB. Both give the same pixels.
 *
 * Two arithmetics. With C9_JPEG_TJPGD the pixels are a CircuitPython 9 board's (TJpgDec's), bit
 * for bit, in its output area. Without it, circuit9's own: an accurate integer IDCT (libjpeg's),
 * rounded BT.601 colour, 1/2 and 1/4 from reduced transforms, at 1/8 the luma AC coefficients
 * entropy-decoded only to be skipped and subsampled chroma given a 2x2 transform so colour edges
 * stay sharp, and the output area rounded up. Both truncate channels to RGB565 (R = r & 0xF8 ...)
 * and can store pixels byte-swapped as CircuitPython does (C9_JPEG_SWAP_BYTES).
 *
 * Supported: baseline (SOF0), 8-bit extended Huffman (SOF1) and progressive (SOF2) JPEG,
 * grayscale or YCbCr, with any power-of-two sampling up to 6 blocks per MCU (4:4:4, 4:2:2, 4:2:0,
 * 4:4:0, 4:1:1), restart intervals, any APPn/COM segment, and files whose EOI is missing.
 * Scales 1/1, 1/2, 1/4 and 1/8.
 *
 * Progressive files hold every block's coefficients in several scans, so the decoder needs
 * coefficient memory from the caller (c9_jpeg_coef_size(), c9_jpeg_set_coef_memory()): 2 bytes
 * per coefficient at 1/1, 1/2 and 1/4, 2 bytes per block reduced to its DC at 1/8. At 1/8 a
 * seekable input (c9_jpeg_set_seek()) needs none when the DC scans allow it: the decoder then
 * reads the DC scans side by side, block by block, in the work memory alone. The AC scans of
 * planes reduced to their DC are skipped unread. A progressive image is output after its last
 * scan.
 *
 * An opened decoder decodes once; open again to decode again (at another scale, say).
 */
#ifndef CIRCUIT9_JPEG_H
#define CIRCUIT9_JPEG_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Knobs (config.h, where their defaults and what each trades are): C9_JPEG_FAST_PROFILE,
 * C9_JPEG_TJPGD_MODE, C9_JPEG_QUALITY_MODE, C9_JPEG_PROGRESSIVE. */

/* Errors: the jpeg band of common.h's table (C9_ERR_JPEG_*, -1001..); c9_strerror() gives their
 * texts. Which function returns which is said at each function below:
 *   C9_ERR_JPEG_FORMAT       not a JPEG, or a broken header (bad marker, bad length, ...)
 *   C9_ERR_JPEG_DATA         corrupt entropy-coded data (bad Huffman code, lost restart)
 *   C9_ERR_JPEG_TRUNCATED    the input ended before the image did
 *   C9_ERR_JPEG_PROGRESSIVE  progressive: differential (SOF6), or SOF2 in a build without it
 *   C9_ERR_JPEG_ARITHMETIC   arithmetic coding (SOF9, SOF10, SOF13, SOF14)
 *   C9_ERR_JPEG_PRECISION    sample precision other than 8 bits (12-bit, ...)
 *   C9_ERR_JPEG_LOSSLESS     lossless (SOF3, SOF7, SOF11, SOF15)
 *   C9_ERR_JPEG_CMYK         four components (CMYK or YCCK)
 *   C9_ERR_JPEG_SAMPLING     sampling factors this decoder does not handle */

typedef enum c9_jpeg_profile {
    C9_JPEG_PROFILE_COMPACT = 0,
    C9_JPEG_PROFILE_FAST = 1,
} c9_jpeg_profile_t;

/* Flags for c9_jpeg_decode(). */
#define C9_JPEG_SWAP_BYTES 0x1u /* store each pixel byte-swapped (CircuitPython's RGB565_SWAPPED) */
/* The pixels a CircuitPython 9 board's jpegio gives: TJpgDec R0.03 as CircuitPython configures
 * it, bit for bit. Its AAN inverse DCT with prescaled dequantisation, a block without AC (every
 * block at 1/8) filled with its DC, chroma replicated, its integer YCbCr conversion, 1/2 and 1/4
 * as the truncated mean of 2x2 and 4x4 full-size RGB pixels, and its output area: (width >>
 * scale) x (height >> scale), so the pixels of a partial MCU that round off at the right and
 * bottom edges are not output (an MCU left without pixels is not output at all). Files TJpgDec
 * rejects are decoded with the same arithmetic (4:1:1, 4:4:0, SOF1, progressive), or, where luma
 * is not sampled the most, with the default arithmetic; either way with this output area. */
#define C9_JPEG_TJPGD 0x2u

/* Work memory sizes (bytes, including alignment slack). Equal to c9_jpeg_workspace_size(). */
#define C9_JPEG_WORKSPACE_COMPACT 3496u
#define C9_JPEG_WORKSPACE_FAST 16384u

/* Reads up to len bytes into buf. Returns the number read (0 only at the end of the input) or a
 * negative c9_err_t, which the decoder returns unchanged. */
typedef int32_t (*c9_jpeg_read_fn)(void *ctx, uint8_t *buf, uint32_t len);

/* Makes the next read start `offset` bytes after the first byte the decoder read (the SOI for
 * c9_jpeg_open(), the start of the input for c9_jpeg_open_scan()). Returns C9_OK or a negative
 * c9_err_t, which the decoder returns unchanged. Same context as the read callback. */
typedef c9_err_t (*c9_jpeg_seek_fn)(void *ctx, uint32_t offset);

/* An output rectangle in scaled image pixels. stride is how many pixels apart its rows start in
 * the pixels handed over: w, unless a crop area (c9_jpeg_set_crop) cut the block. */
typedef struct c9_jpeg_rect {
    uint16_t x, y, w, h;
    uint16_t stride;
} c9_jpeg_rect_t;

/* Receives w*h pixels, row j at pixels + j * stride. Returning anything but C9_OK stops the
 * decode, and c9_jpeg_decode() returns that value. */
typedef c9_err_t (*c9_jpeg_output_fn)(void *ctx, const c9_jpeg_rect_t *r, const uint16_t *pixels);

typedef struct c9_jpeg_info {
    uint16_t width, height;         /* full-size image */
    uint8_t components;             /* 1 (gray) or 3 (YCbCr) */
    uint8_t h_samp, v_samp;         /* luma sampling factors relative to chroma: 2,2 is 4:2:0 */
    uint16_t restart_interval;      /* MCUs per restart interval, 0 when none */
    uint16_t mcu_width, mcu_height; /* full-size MCU, in pixels */
    uint8_t progressive;            /* 1 for a progressive file (coefficient memory, see below) */
    uint32_t soi_offset;            /* bytes before the image's FF D8 (c9_jpeg_open_scan()) */
} c9_jpeg_info_t;

typedef struct c9_jpeg c9_jpeg_t;

/* Bytes of work memory a decoder needs for a profile (0 for an unknown or disabled profile). */
size_t c9_jpeg_workspace_size(c9_jpeg_profile_t profile);

/* Places a decoder in `work` and parses the headers up to the first scan.
 * Returns C9_OK, C9_ERR_INVAL (NULL argument or unknown profile), C9_ERR_NOTSUP (profile compiled
 * out, or a valid file this decoder does not handle: 2 components, a baseline image in several
 * scans, a table id above 1, hierarchical), C9_ERR_NOMEM (work smaller than
 * c9_jpeg_workspace_size()), C9_ERR_JPEG_FORMAT, C9_ERR_JPEG_TRUNCATED, C9_ERR_JPEG_PROGRESSIVE
 * (differential, or progressive in a build without it), C9_ERR_JPEG_ARITHMETIC,
 * C9_ERR_JPEG_PRECISION, C9_ERR_JPEG_LOSSLESS, C9_ERR_JPEG_CMYK, C9_ERR_JPEG_SAMPLING, or an
 * error from the read callback. */
c9_err_t c9_jpeg_open(c9_jpeg_t **out, void *work, size_t work_size, c9_jpeg_profile_t profile, c9_jpeg_read_fn read,
                      void *read_ctx);

/* c9_jpeg_open() for an input that may carry other bytes before the image, read as TJpgDec
 * (and so CircuitPython's jpegio) reads it: everything before the first FF D8 is skipped
 * (c9_jpeg_info_t.soi_offset says how much). Returns what c9_jpeg_open() returns, with
 * C9_ERR_JPEG_TRUNCATED when the input ends before an FF D8 (TJpgDec's JDR_INP). */
c9_err_t c9_jpeg_open_scan(c9_jpeg_t **out, void *work, size_t work_size, c9_jpeg_profile_t profile,
                           c9_jpeg_read_fn read, void *read_ctx);

/* Image facts from the headers. C9_ERR_INVAL for NULL arguments. */
c9_err_t c9_jpeg_get_info(const c9_jpeg_t *dec, c9_jpeg_info_t *info);

/* Output size at scale 0..3 (1/1 .. 1/8) without C9_JPEG_TJPGD: ceil(width / 2^scale) by
 * ceil(height / 2^scale). With it the output area is (width >> scale) x (height >> scale). */
void c9_jpeg_scaled_size(const c9_jpeg_t *dec, unsigned scale, uint16_t *width, uint16_t *height);

/* Gives the decoder a seek callback (for the read callback's context), which lets a progressive
 * file decode at 1/8 without coefficient memory. C9_ERR_INVAL for a NULL decoder. */
c9_err_t c9_jpeg_set_seek(c9_jpeg_t *dec, c9_jpeg_seek_fn seek);

/* Bytes of coefficient memory the decode at `scale` with `flags` (as for c9_jpeg_decode) needs:
 * 0 for a baseline file; for a progressive file 2 bytes per coefficient (128 a block) at scales
 * 0..2; at 3, 2 bytes a block for the planes reduced to their DC (all of them with
 * C9_JPEG_TJPGD; luma and unequally subsampled chroma otherwise) and 128 for the others (4:2:0
 * chroma keeps a 2x2 transform), or 0 when a seek callback is set and the DC scans can be read
 * side by side (the decoder reads through the file once to find out, then seeks back).
 * Returns C9_OK, C9_ERR_INVAL (NULL argument, scale > 3), C9_ERR_BADF (not open), C9_ERR_NOTSUP
 * (the arithmetic compiled out, or more memory than size_t counts), or, when it reads,
 * C9_ERR_JPEG_FORMAT, C9_ERR_JPEG_TRUNCATED or an error from the callbacks. */
c9_err_t c9_jpeg_coef_size(c9_jpeg_t *dec, unsigned scale, unsigned flags, size_t *bytes);

/* Coefficient memory for the decode (any alignment; the caller keeps it until the decode
 * returns). C9_ERR_INVAL for a NULL decoder, or NULL memory with a non-zero size. */
c9_err_t c9_jpeg_set_coef_memory(c9_jpeg_t *dec, void *mem, size_t size);

/* Limits what a decode hands to its output callback to area (x, y, w, h in scaled image pixels,
 * clipped to the output area), as jpegio.decode's crop box does: each block is cut to it and
 * blocks outside it are not converted at all. NULL outputs everything again (the default after
 * open). C9_ERR_INVAL for a NULL decoder. */
c9_err_t c9_jpeg_set_crop(c9_jpeg_t *dec, const c9_jpeg_rect_t *area);

/* Decodes the whole image at 1/2^scale, calling `output` once per MCU in raster order (not for
 * an MCU that C9_JPEG_TJPGD's output area leaves without pixels). Returns C9_OK, C9_ERR_INVAL
 * (scale > 3, NULL output), C9_ERR_BADF (not opened, or already decoded), C9_ERR_NOTSUP (the
 * arithmetic the flags need is compiled out, or a progressive image too large to address),
 * C9_ERR_NOMEM (progressive without the coefficient
 * memory c9_jpeg_coef_size() asks for), C9_ERR_JPEG_DATA, C9_ERR_JPEG_FORMAT (a broken header
 * between progressive scans), C9_ERR_JPEG_TRUNCATED (the input ends inside the image data: for a
 * progressive file inside any scan), an error from the callbacks, or the first non-C9_OK value
 * returned by `output`. For a baseline file, MCUs before an error have been output; a
 * progressive file is output after its last scan, so an error leaves nothing output. */
c9_err_t c9_jpeg_decode(c9_jpeg_t *dec, unsigned scale, unsigned flags, c9_jpeg_output_fn output, void *output_ctx);

/* Same as c9_strerror(). */
const char *c9_jpeg_strerror(c9_err_t err);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_JPEG_H */
