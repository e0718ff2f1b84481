/*
 * circuit9 common types: the error type and the allocator interface.
 *
 * Every core function that can fail returns c9_err_t: C9_OK (0) on success, a negative code
 * otherwise. There is no global error state.
 *
 * Memory comes from the caller: either a buffer sized by a *_size() query, or a
 * c9_allocator_t passed in a config struct. Frees are sized, so an allocator need not keep
 * headers. c9_allocator_default() returns the libc-backed allocator unless C9_NO_MALLOC.
 *
 *     c9_allocator_t a = *c9_allocator_default();
 *     void *p = c9_alloc(&a, 64);
 *     ...
 *     c9_free(&a, p, 64);
 */
#ifndef CIRCUIT9_COMMON_H
#define CIRCUIT9_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "circuit9/config.h"
#include "circuit9/config_check.h"
#include "circuit9/compiler.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the cores' C API (C9_VERSION_MAJOR changes on an incompatible change). */
#define C9_VERSION_MAJOR 0
#define C9_VERSION_MINOR 9
#define C9_VERSION_PATCH 0
/* One comparable number: 0xMMmmpp. */
#define C9_VERSION ((C9_VERSION_MAJOR << 16) | (C9_VERSION_MINOR << 8) | C9_VERSION_PATCH)
#define C9_VERSION_STRING "0.9.0"

/* ---- error codes -------------------------------------------------------------------------------
 *
 * The code space is cut into bands, one per domain. Every code of every core is listed once, in
 * C9_ERR_TABLE below, and spelt C9_ERR_<NAME>:
 *
 *   band             domain     codes
 *   -1 .. -999       generic    Linux errno numbers, negated (C9_ERR_INVAL = -22, ...)
 *   -1001 .. -1099   jpeg       C9_ERR_JPEG_*                 (core/jpeg)
 *   -1101 .. -1199   usb        C9_ERR_USB_*, C9_ERR_USBMON_* (core/usb: host stack, descriptors, captures)
 *   -1201 .. -1299   display    C9_ERR_DISPLAY_*, C9_ERR_INITSEQ_*, C9_ERR_BMP_* (core/display)
 *   -1301 .. -1399   gfx        C9_ERR_BITMAPTOOLS_*          (core/gfx)
 *   -1401 .. -1499   filter     C9_ERR_FILTER_*               (core/filter)
 *   -1501 .. -1599   settings   C9_ERR_SETTINGS_*             (core/fs settings.toml)
 *   -1601 .. -1699   heap       none yet: the heaps report generic codes
 *   -1701 .. -1799   midi       C9_ERR_SMF_*                  (core/midi: MIDI files)
 *   -2001 .. -2099   fs         C9_ERR_FAT_*, C9_ERR_MBR_*    (core/fs: FAT volumes, partition tables)
 *   -2101 .. -2199   sdcard     C9_ERR_SD_*                   (core/sdcard: SD cards in SPI mode)
 *   -2201 .. -2299   tls        C9_ERR_TLS_*                  (core/net)
 *   -2301 .. -2399   http       C9_ERR_HTTP_*                 (core/net)
 *   -2401 .. -2499   mqtt       C9_ERR_MQTT_*                 (core/net)
 *   -2501 .. -2599   net        C9_ERR_NET_*                  (core/net: sockets, connection manager)
 *   -2601 .. -2699   mcu        C9_ERR_MCU_*                  (core/mcu: the chips' peripherals, port.h)
 *   -2701 .. -2799   audio      C9_ERR_WAV_*, C9_ERR_AUDIO_*  (core/audio: WAV files, samples, mixer, outputs)
 *
 * An entry X(band, NAME, n, text) makes C9_ERR_<NAME> = C9_ERR_BAND_<band> - n, with n in 1..99
 * (1..999 for ERRNO). Each header still documents which codes each of its functions returns.
 * Two entries with one value cannot build: core/common/common.c holds a switch over the table, and a
 * repeated case value is a compile error; it also checks each n against its band. Codes are never defined anywhere else
 * (tools/check_tree.py enforces it).
 */
#define C9_ERR_BAND_ERRNO 0
#define C9_ERR_BAND_JPEG (-1000)
#define C9_ERR_BAND_USB (-1100)
#define C9_ERR_BAND_DISPLAY (-1200)
#define C9_ERR_BAND_GFX (-1300)
#define C9_ERR_BAND_FILTER (-1400)
#define C9_ERR_BAND_SETTINGS (-1500)
#define C9_ERR_BAND_HEAP (-1600)
#define C9_ERR_BAND_MIDI (-1700)
#define C9_ERR_BAND_FS (-2000)
#define C9_ERR_BAND_SDCARD (-2100)
#define C9_ERR_BAND_TLS (-2200)
#define C9_ERR_BAND_HTTP (-2300)
#define C9_ERR_BAND_MQTT (-2400)
#define C9_ERR_BAND_NET (-2500)
#define C9_ERR_BAND_MCU (-2600)
#define C9_ERR_BAND_AUDIO (-2700)

#define C9_ERR_TABLE(X)                                                                                                \
    X(ERRNO, PERM, 1, "operation not permitted") /* read-only object */                                                \
    X(ERRNO, NOENT, 2, "no such entry")          /* no such file, key or item */                                       \
    X(ERRNO, IO, 5, "input/output error")        /* a read/write callback or bus failed */                             \
    X(ERRNO, BADF, 9, "object not open or deinitialised")                                                              \
    X(ERRNO, AGAIN, 11, "try again")     /* non-blocking call would block */                                           \
    X(ERRNO, NOMEM, 12, "out of memory") /* allocator or caller buffer too small */                                    \
    X(ERRNO, BUSY, 16, "resource busy")                                                                                \
    X(ERRNO, EXIST, 17, "already in use") /* already exists / already attached */                                      \
    X(ERRNO, NODEV, 19, "no such device")                                                                              \
    X(ERRNO, INVAL, 22, "invalid argument")                                                                            \
    X(ERRNO, RANGE, 34, "value out of range")                                                                          \
    X(ERRNO, NOSYS, 38, "operation not provided") /* not provided by this port or object */                            \
    X(ERRNO, NOTSUP, 95, "not supported")         /* input valid but not supported */                                  \
    X(ERRNO, TIMEDOUT, 110, "timed out")                                                                               \
    X(ERRNO, INTR, 4, "interrupted")          /* a wait was interrupted (Ctrl-C); nothing was done */                  \
    X(ERRNO, PIPE, 32, "broken pipe")         /* send on a connection the peer closed */                               \
    X(ERRNO, MSGSIZE, 90, "message too long") /* datagram larger than the port can send */                             \
    X(ERRNO, NOPROTOOPT, 92, "protocol option not available")                                                          \
    X(ERRNO, AFNOSUPPORT, 97, "address family not supported")                                                          \
    X(ERRNO, ADDRINUSE, 98, "address already in use")                                                                  \
    X(ERRNO, ADDRNOTAVAIL, 99, "address not available")                                                                \
    X(ERRNO, NETUNREACH, 101, "network unreachable")                                                                   \
    X(ERRNO, CONNABORTED, 103, "connection aborted")                                                                   \
    X(ERRNO, CONNRESET, 104, "connection reset by peer")                                                               \
    X(ERRNO, NOBUFS, 105, "no buffer space")                                                                           \
    X(ERRNO, ISCONN, 106, "already connected")                                                                         \
    X(ERRNO, NOTCONN, 107, "not connected")                                                                            \
    X(ERRNO, CONNREFUSED, 111, "connection refused")                                                                   \
    X(ERRNO, HOSTUNREACH, 113, "host unreachable")                                                                     \
    X(ERRNO, ALREADY, 114, "connection in progress") /* a non-blocking connect is still under way */                   \
    X(ERRNO, INPROGRESS, 115, "connection started")  /* connect with timeout 0: started, not finished */               \
    /* jpeg */                                                                                                         \
    X(JPEG, JPEG_FORMAT, 1, "not a JPEG file or broken header")                                                        \
    X(JPEG, JPEG_DATA, 2, "corrupt JPEG data") /* bad Huffman code, lost restart */                                    \
    X(JPEG, JPEG_TRUNCATED, 3, "JPEG data ends early")                                                                 \
    X(JPEG, JPEG_PROGRESSIVE, 4, "this kind of progressive JPEG is not supported")                                     \
    X(JPEG, JPEG_ARITHMETIC, 5, "arithmetic-coded JPEG not supported")                                                 \
    X(JPEG, JPEG_PRECISION, 6, "only 8-bit JPEG supported")                                                            \
    X(JPEG, JPEG_LOSSLESS, 7, "lossless JPEG not supported")                                                           \
    X(JPEG, JPEG_CMYK, 8, "CMYK JPEG not supported")                                                                   \
    X(JPEG, JPEG_SAMPLING, 9, "JPEG sampling factors not supported")                                                   \
    /* usb: host stack, descriptors, usbmon captures */                                                                \
    X(USB, USB_STALL, 1, "endpoint stalled")       /* halted, or request refused */                                    \
    X(USB, USB_NO_DEVICE, 2, "no such USB device") /* gone, or never mounted */                                        \
    X(USB, USB_XFER, 3, "USB transaction error")   /* no handshake, CRC, bit stuffing, toggle */                       \
    X(USB, USB_OVERFLOW, 4, "USB babble (device sent too much)")                                                       \
    X(USB, USB_CANCELLED, 5, "USB transfer cancelled") /* c9_usbh_abort, a cancel hook */                              \
    X(USB, USB_NO_CONFIG, 6, "No configuration set")                                                                   \
    X(USB, USB_NO_ENDPOINT, 7, "endpoint not in the configuration")                                                    \
    X(USB, USB_DESC_TRUNCATED, 20, "USB descriptor truncated")   /* bLength or wTotalLength past the data */           \
    X(USB, USB_DESC_LENGTH, 21, "USB descriptor length invalid") /* below 2, or below its type's minimum */            \
    X(USB, USB_DESC_TYPE, 22, "unexpected USB descriptor type")                                                        \
    X(USB, USB_DESC_VALUE, 23, "invalid USB descriptor field") /* bMaxPacketSize0 5, endpoint 0, ... */                \
    X(USB, USB_DESC_LIMIT, 24, "USB configuration too large for the parser's tables") /* C9_USB_DESC_MAX_* */          \
    X(USB, USBMON_FORMAT, 40, "not a usbmon capture") /* not pcap/pcapng, or a malformed record or block */            \
    X(USB, USBMON_TRUNCATED, 41, "usbmon capture truncated")                                                           \
    X(USB, USBMON_LINKTYPE, 42, "not a USB capture") /* pcap link type other than 189 or 220 */                        \
    /* display */                                                                                                      \
    X(DISPLAY, INITSEQ_TRUNCATED, 1, "init sequence truncated") /* a record runs past the buffer */                    \
    X(DISPLAY, DISPLAY_FPS, 2, "Below minimum frame rate")      /* refresh(): minimum fps missed */                    \
    X(DISPLAY, BMP_HEADER, 11, "Only Windows format, uncompressed BMP supported")                                      \
    X(DISPLAY, BMP_RLE, 12, "RLE-compressed BMP not supported")                                                        \
    X(DISPLAY, BMP_FORMAT, 13, "unsupported BMP format") /* bits per pixel, size or offsets */                         \
    /* gfx */                                                                                                          \
    X(GFX, BITMAPTOOLS_EOF, 1, "stream ended before a whole row") /* readinto: Python's EOFError */                    \
    /* filter */                                                                                                       \
    X(FILTER, FILTER_DEPTH, 1, "unsupported bitmap depth")                                                             \
    X(FILTER, FILTER_MISMATCH, 2, "bitmap size and depth must match")                                                  \
    X(FILTER, FILTER_KERNEL, 3, "weights must be a sequence with an odd square number of elements")                    \
    /* settings */                                                                                                     \
    X(SETTINGS, SETTINGS_BYTE, 1, "invalid byte in settings file") /* *bad holds it, 0 at end of file */               \
    X(SETTINGS, SETTINGS_UNICODE, 2, "invalid Unicode escape")     /* code point >= 0x110000 */                        \
    /* midi */                                                                                                         \
    X(MIDI, SMF_FORMAT, 1, "not a Standard MIDI File") /* no MThd, short header, format > 2, no tracks, division 0 */  \
    X(MIDI, SMF_TRUNCATED, 2, "MIDI file truncated")   /* a chunk or event runs past its file or track */              \
    X(MIDI, SMF_DATA, 3, "invalid MIDI file data")     /* data byte without running status, long number, ... */        \
    X(MIDI, SMF_LIMIT, 4, "too many tracks in MIDI file") /* more than C9_SMF_MAX_TRACKS */                            \
    /* fs: FAT volumes (docs/storage.md maps each to errno and FatFs), partition tables */                             \
    X(FS, FAT_NOFS, 1, "no FAT file system")                                                                           \
    X(FS, FAT_BPB, 2, "FAT boot sector describes no valid volume")                                                     \
    X(FS, FAT_CHAIN, 3, "corrupt cluster chain")                                                                       \
    X(FS, FAT_DIR, 4, "corrupt directory")                                                                             \
    X(FS, FAT_CROSSLINK, 5, "cluster used by two files")                                                               \
    X(FS, FAT_NOSPC, 10, "no space left on volume")                                                                    \
    X(FS, FAT_NOTDIR, 11, "not a directory")                                                                           \
    X(FS, FAT_ISDIR, 12, "is a directory")                                                                             \
    X(FS, FAT_NOTEMPTY, 13, "directory not empty")                                                                     \
    X(FS, FAT_NAMETOOLONG, 14, "name too long")                                                                        \
    X(FS, FAT_BADNAME, 15, "invalid name")                                                                             \
    X(FS, FAT_ROFS, 16, "read-only file system")                                                                       \
    X(FS, FAT_FBIG, 17, "file too large")                                                                              \
    X(FS, FAT_DENIED, 18, "permission denied")                                                                         \
    X(FS, MBR_NONE, 50, "no partition table")            /* no 0x55AA signature, or no entry in use */                 \
    X(FS, MBR_RANGE, 51, "partition outside the device") /* starts at block 0 or runs past the end */                  \
    /* sdcard: texts of the card's failures are CircuitPython's OSError messages */                                    \
    X(SDCARD, SD_NOCARD, 1, "no SD card")                          /* CMD0 never answered idle */                      \
    X(SDCARD, SD_VERSION, 2, "couldn't determine SD card version") /* odd CMD8 answer */                               \
    X(SDCARD, SD_V2_TIMEOUT, 3, "timeout waiting for v2 card")     /* ACMD41 stayed busy */                            \
    X(SDCARD, SD_V1_TIMEOUT, 4, "timeout waiting for v1 card")                                                         \
    X(SDCARD, SD_NORESPONSE, 5, "no response from SD card") /* CMD9 failed */                                          \
    X(SDCARD, SD_CSD, 6, "SD card CSD format not supported")                                                           \
    X(SDCARD, SD_BLOCKLEN, 7, "can't set 512 block size")                                                              \
    X(SDCARD, SD_R1, 10, "SD card rejected a command")  /* error bits in R1 */                                         \
    X(SDCARD, SD_TOKEN, 11, "SD card returned no data") /* data error token, or none in time */                        \
    X(SDCARD, SD_WRITE, 12, "SD card rejected a write")                                                                \
    X(SDCARD, SD_CRC, 13, "SD card data CRC error") /* CRC16 mismatch after retries */                                 \
    X(SDCARD, SD_RANGE, 14, "block outside the SD card")                                                               \
    /* tls: c9_tls_error_info_t has the library's own code and text */                                                 \
    X(TLS, TLS_HANDSHAKE, 1, "TLS handshake failed") /* no common version or cipher, peer alert */                     \
    X(TLS, TLS_CERT_UNTRUSTED, 2, "certificate not signed by a trusted CA")                                            \
    X(TLS, TLS_CERT_EXPIRED, 3, "certificate expired") /* it or one in its chain */                                    \
    X(TLS, TLS_CERT_HOSTNAME, 4, "certificate does not match the host name")                                           \
    X(TLS, TLS_CERT_VERIFY, 5, "certificate verification failed") /* not yet valid, key usage, ... */                  \
    X(TLS, TLS_BAD_CERT, 6, "invalid cert")                       /* certificate or CA data does not parse */          \
    X(TLS, TLS_BAD_KEY, 7, "invalid key")                         /* does not parse or does not match */               \
    X(TLS, TLS_EOF, 8, "connection closed without TLS close_notify")                                                   \
    X(TLS, TLS_PROTOCOL, 9, "TLS protocol error") /* after the handshake: bad record, alert */                         \
    /* http */                                                                                                         \
    X(HTTP, HTTP_BAD_STATUS, 1, "malformed HTTP status line")                                                          \
    X(HTTP, HTTP_BAD_HEADER, 2, "malformed HTTP header field") /* or trailer */                                        \
    X(HTTP, HTTP_HEADERS_TOO_LARGE, 3, "HTTP header section too large")                                                \
    X(HTTP, HTTP_TOO_MANY_HEADERS, 4, "too many HTTP header fields")                                                   \
    X(HTTP, HTTP_BAD_LENGTH, 5, "invalid Content-Length")                                                              \
    X(HTTP, HTTP_BAD_CHUNK, 6, "malformed chunked encoding")                                                           \
    X(HTTP, HTTP_TRUNCATED, 7, "connection closed inside the HTTP response")                                           \
    X(HTTP, HTTP_BODY_TOO_LARGE, 8, "HTTP body too large") /* over max_body */                                         \
    X(HTTP, HTTP_NO_RESPONSE, 9, "Unable to read HTTP response.")                                                      \
    X(HTTP, HTTP_TOO_MANY_INTERIM, 10, "too many interim HTTP responses") /* over C9_HTTP_MAX_INTERIM */               \
    /* mqtt; 11..15 are CONNACK's refusals 1..5 */                                                                     \
    X(MQTT, MQTT_PROTOCOL, 1, "MQTT protocol violation")                                                               \
    X(MQTT, MQTT_TOO_LARGE, 2, "MQTT packet larger than the buffer")                                                   \
    X(MQTT, MQTT_NOT_CONNECTED, 3, "MQTT client not connected")                                                        \
    X(MQTT, MQTT_SUB_REFUSED, 4, "MQTT subscription refused") /* SUBACK 0x80 */                                        \
    X(MQTT, MQTT_KEEPALIVE, 5, "MQTT broker did not answer PINGREQ")                                                   \
    X(MQTT, MQTT_INFLIGHT, 6, "too many incoming QoS 2 messages")                                                      \
    X(MQTT, MQTT_REFUSED_PROTOCOL, 11, "Connection Refused - Unacceptable protocol version")                           \
    X(MQTT, MQTT_REFUSED_IDENTIFIER, 12, "Connection Refused - ID Rejected")                                           \
    X(MQTT, MQTT_REFUSED_UNAVAILABLE, 13, "Connection Refused - Server unavailable")                                   \
    X(MQTT, MQTT_REFUSED_CREDENTIALS, 14, "Connection Refused - Incorrect username/password")                          \
    X(MQTT, MQTT_REFUSED_AUTHORIZED, 15, "Connection Refused - Unauthorized")                                          \
    /* net: sockets and the connection manager */                                                                      \
    X(NET, NET_OUT_OF_SOCKETS, 1, "Out of sockets") /* the board's socket limit */                                     \
    X(NET, NET_NONAME, 2, "Name or service not known")                                                                 \
    X(NET, NET_IN_USE, 3, "an existing socket is already connected to this host") /* lent out */                       \
    X(NET, NET_NOT_MANAGED, 4, "Socket not managed")                                                                   \
    X(NET, NET_NO_TLS_CONTEXT, 5, "ssl_context must be provided if using ssl")                                         \
    X(NET, WIFI_NO_AP, 10, "No network with that ssid") /* no access point with that SSID (and BSSID) */               \
    X(NET, WIFI_AUTH, 11, "Authentication failure")     /* the access point refused the password */                    \
    X(NET, WIFI_DISABLED, 12, "wifi is not enabled")    /* the radio is off */                                         \
    /* mcu: texts are the ports' CircuitPython messages */                                                             \
    X(MCU, MCU_VARIABLE_FREQUENCY, 1, "Invalid variable_frequency") /* PWM: a shared slice */                          \
    X(MCU, MCU_COUNTER_PIN, 2, "Pin must be on PWM Channel B")      /* RP2040 countio */                               \
    X(MCU, MCU_COUNTER_EDGE, 3, "RISE_AND_FALL not available on this chip")                                            \
    X(MCU, MCU_SLICE_IN_USE, 4, "PWM slice already in use")                                                            \
    X(MCU, MCU_SLICE_CHANNEL_A, 5, "PWM slice channel A already in use")                                               \
    X(MCU, MCU_NO_PULLDOWN, 6, "No pulldown on pin; 1Mohm recommended") /* software touch */                           \
    X(MCU, MCU_NO_ANALOGOUT, 7, "AnalogOut")                            /* the chip has no DAC */                      \
    /* audio: WaveFile's texts are CircuitPython's */                                                                  \
    X(AUDIO, WAV_FILE, 1, "Invalid file")                  /* no "RIFF....WAVEfmt " start */                           \
    X(AUDIO, WAV_FMT_SIZE, 2, "Invalid format chunk size") /* fmt chunk under 16 or over 40 bytes */                   \
    X(AUDIO, WAV_FORMAT, 3, "Unsupported format")          /* not 8/16-bit PCM, mono or stereo */                      \
    X(AUDIO, WAV_TRUNCATED, 4, "WAV file ends before its data")                                                        \
    X(AUDIO, AUDIO_RATE_MISMATCH, 10, "The sample's sample_rate does not match")                                       \
    X(AUDIO, AUDIO_CHANNELS_MISMATCH, 11, "The sample's channel_count does not match")                                 \
    X(AUDIO, AUDIO_BITS_MISMATCH, 12, "The sample's bits_per_sample does not match")                                   \
    X(AUDIO, AUDIO_SIGN_MISMATCH, 13, "The sample's signedness does not match")                                        \
    X(AUDIO, AUDIO_RAW_LENGTH, 14, "Length of buffer must be an even multiple of channel_count * type_size")           \
    X(AUDIO, AUDIO_CONVERSION, 15, "Audio conversion not implemented") /* 16-bit samples to an 8-bit output */

enum {
    C9_OK = 0,
#define C9_ERR_ENUM_(band, name, n, text) C9_ERR_##name = C9_ERR_BAND_##band - (n),
    C9_ERR_TABLE(C9_ERR_ENUM_)
#undef C9_ERR_ENUM_
};

typedef int c9_err_t;

/* A short, static, English description of any code of the table ("success" for C9_OK, "unknown
 * error" for a value that is not a code; the code's name when built with C9_ERR_TEXTS 0); never
 * NULL. */
const char *c9_strerror(c9_err_t err);
/* The code's name without its prefix ("FILTER_DEPTH" for C9_ERR_FILTER_DEPTH, "OK"), or NULL for a
 * value that is not a code: for tools, logs and tests. */
const char *c9_err_name(c9_err_t err);

/*
 * Allocator interface. alloc returns NULL on failure; free gets the size given to alloc;
 * realloc may be NULL, in which case c9_realloc falls back to alloc + copy + free.
 */
typedef struct c9_allocator {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void *ctx;
} c9_allocator_t;

/* The libc allocator, or NULL when built with C9_NO_MALLOC. */
const c9_allocator_t *c9_allocator_default(void);

/* Helpers that tolerate a NULL allocator by using the default one. c9_alloc(a, 0) returns a
 * unique non-NULL pointer only if the allocator does; callers should not ask for 0 bytes. */
void *c9_alloc(const c9_allocator_t *a, size_t size);
void *c9_calloc(const c9_allocator_t *a, size_t size);
void c9_free(const c9_allocator_t *a, void *ptr, size_t size);
void *c9_realloc(const c9_allocator_t *a, void *ptr, size_t old_size, size_t new_size);

/* Time source shared by the cores (displays, USB host): milliseconds since an arbitrary origin,
 * and a blocking delay. A virtual clock may make delay_ms advance now_ms without sleeping. */
typedef struct c9_clock {
    uint64_t (*now_ms)(void *ctx);
    void (*delay_ms)(void *ctx, uint32_t ms);
    void *ctx;
} c9_clock_t;

#define C9_MIN(a, b) ((a) < (b) ? (a) : (b))
#define C9_MAX(a, b) ((a) > (b) ? (a) : (b))
#define C9_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_COMMON_H */
