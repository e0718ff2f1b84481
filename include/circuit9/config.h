/*
 * circuit9 build configuration: every knob of every core, with its default.
 *
 * A firmware project overrides a knob with -D, or collects its choices in a header: either
 * "c9_config.h" on the include path (read when C9_HAVE_CONFIG_H is defined) or any file named by
 * C9_CONFIG_FILE (-DC9_CONFIG_FILE='"board_c9.h"'). Knobs are tested with #if, never #ifdef, and
 * the tree builds with -Wundef, so a misspelt knob is a compile error rather than a silent
 * default. Invalid combinations stop the build at the end of this file.
 *
 * `make test` builds every core for a Cortex-M0+ and a Cortex-M4F with several settings of these
 * knobs (docs/architecture.md, "Portability").
 */
#ifndef CIRCUIT9_CONFIG_H
#define CIRCUIT9_CONFIG_H

#ifdef C9_HAVE_CONFIG_H
#include "c9_config.h"
#endif
#ifdef C9_CONFIG_FILE
#include C9_CONFIG_FILE
#endif

/* ---- every core ----------------------------------------------------------------------------- */

/* 1: no libc malloc fallback; every allocation goes through a caller's c9_allocator_t, and
 * c9_allocator_default() returns NULL. */
#ifndef C9_NO_MALLOC
#define C9_NO_MALLOC 0
#endif

/* 1: use compiler vector extensions on hot paths where the target has 128-bit SIMD (compiler.h's
 * C9_SIMD128). The portable path is always compiled and tested as well. */
#ifndef C9_USE_VECTOR_EXT
#define C9_USE_VECTOR_EXT 1
#endif

/* 1: c9_strerror() gives each error code a sentence (about 4 KB of text for the whole table);
 * 0: it gives the code's name instead ("FILTER_DEPTH"), for the smallest firmware. */
#ifndef C9_ERR_TEXTS
#define C9_ERR_TEXTS 1
#endif

/* ---- jpeg ----------------------------------------------------------------------------------- */

/* 1: compile the FAST profile (lookup tables). 0 leaves only the compact code, for the smallest
 * firmware; opening with C9_JPEG_PROFILE_FAST then returns C9_ERR_NOTSUP. */
#ifndef C9_JPEG_FAST_PROFILE
#define C9_JPEG_FAST_PROFILE 1
#endif

/* Which arithmetics to compile (at least one): C9_JPEG_TJPGD_MODE, TJpgDec's (a board's pixels,
 * the C9_JPEG_TJPGD flag), and C9_JPEG_QUALITY_MODE, circuit9's own (decodes without that flag,
 * and files whose luma is not the most sampled component). Decodes that need an arithmetic left
 * out return C9_ERR_NOTSUP. */
#ifndef C9_JPEG_TJPGD_MODE
#define C9_JPEG_TJPGD_MODE 1
#endif
#ifndef C9_JPEG_QUALITY_MODE
#define C9_JPEG_QUALITY_MODE 1
#endif

/* 1: decode progressive JPEG (SOF2). 0 leaves it out of the firmware; c9_jpeg_open() then
 * returns C9_ERR_JPEG_PROGRESSIVE for it. */
#ifndef C9_JPEG_PROGRESSIVE
#define C9_JPEG_PROGRESSIVE 1
#endif

/* ---- display -------------------------------------------------------------------------------- */

/* Compose buffer inside c9_display_t, in bytes (a quarter more is kept for packed pixels of depths
 * under 8). CircuitPython uses 512; larger means fewer window commands per area. */
#ifndef C9_DISPLAY_BUFFER_BYTES
#define C9_DISPLAY_BUFFER_BYTES 4096
#endif

/* Dirty rectangles tracked per refresh; more are merged pairwise (least waste first). */
#ifndef C9_DISPLAY_MAX_RECTS
#define C9_DISPLAY_MAX_RECTS 48
#endif

/* Group nesting the compositor draws: layers inside more than this many nested groups are not
 * drawn (composition recurses once per level, so this bounds its stack). Trees of any depth can be
 * built, shown and dropped: nothing else in the core recurses over a tree. */
#ifndef C9_DISPLAY_MAX_DEPTH
#define C9_DISPLAY_MAX_DEPTH 64
#endif

/* Palettes whose display colours a refresh keeps in a table (1 KB each inside c9_display_t): a
 * palette pixel then costs one load. 0 keeps none, saving 4 KB of the default 9.8 KB display on a
 * small board; each palette pixel is then converted as it is composed (same pixels, slower). */
#ifndef C9_DISPLAY_PALETTE_LUTS
#define C9_DISPLAY_PALETTE_LUTS 4
#endif

/* Separate changed-cell areas a tile grid keeps between refreshes (text far apart stays apart). */
#ifndef C9_TILEGRID_DIRTY_RECTS
#define C9_TILEGRID_DIRTY_RECTS 4
#endif

/* ---- filter (bitmapfilter) ------------------------------------------------------------------ */

/* 1: mix/solarize/... compute in double instead of float (CircuitPython boards use float). */
#ifndef C9_FILTER_DOUBLE
#define C9_FILTER_DOUBLE 0
#endif

/* Smallest image (in pixels) for which lookup builds its 128 KiB whole-value table; 0 never
 * builds it (the per-byte tables are used). */
#ifndef C9_FILTER_LUT_MIN_PIXELS
#define C9_FILTER_LUT_MIN_PIXELS 0
#endif

/* ---- heap ----------------------------------------------------------------------------------- */

/* Bytes per GC block: a power of two, at least 16 (a free run keeps three 32-bit fields in its
 * first block and its length in the last four bytes of its last block). */
#ifndef C9_GC_BLOCK_SIZE
#define C9_GC_BLOCK_SIZE 16
#endif

/* Entries of the explicit mark stack (MicroPython's MICROPY_ALLOC_GC_STACK_SIZE). On overflow the
 * collector rescans the heap for marked objects, so a small stack costs time, not correctness. */
#ifndef C9_GC_MARK_STACK
#define C9_GC_MARK_STACK 64
#endif

/* Pools one outside heap can hold. */
#ifndef C9_OUTHEAP_MAX_POOLS
#define C9_OUTHEAP_MAX_POOLS 4
#endif

/* log2 of the largest block a pool can hold; sets the size of each pool's list table. */
#ifndef C9_OUTHEAP_MAX_LOG2
#define C9_OUTHEAP_MAX_LOG2 30
#endif

/* ---- gfx ------------------------------------------------------------------------------------ */

/* Largest Bitmap dimension, as CircuitPython limits it. */
#ifndef C9_BITMAP_MAX_DIM
#define C9_BITMAP_MAX_DIM 32767
#endif

/* ---- FAT (fat.h) ---- */

/* Sectors of block cache in each c9_fat_t (512 bytes each). At least 2: a FAT12 entry can span
 * two sectors, whose write order the core chooses. More sectors mean fewer re-reads when FAT,
 * directory and data accesses alternate. */
#ifndef C9_FAT_CACHE_SECTORS
#define C9_FAT_CACHE_SECTORS 4
#endif
/* Bytes for a name in c9_fat_info_t, NUL included. A long name is at most 255 UTF-16 units, at
 * most 765 bytes of UTF-8. With a smaller buffer, entries whose long name does not fit are listed
 * under their short name (as FatFs does). */
#ifndef C9_FAT_NAME_BUF
#define C9_FAT_NAME_BUF 766
#endif
/* Directory depth c9_fat_check() descends to; deeper directories give C9_ERR_FAT_DIR. */
#ifndef C9_FAT_CHECK_DEPTH
#define C9_FAT_CHECK_DEPTH 32
#endif

/* Networking (net.h, http.h, mqtt.h). Key fields of the connection manager are stored in its
 * slots, so these bound the host name, protocol and session id a key may have. */
#ifndef C9_NET_HOST_MAX
#define C9_NET_HOST_MAX 253
#endif
#ifndef C9_NET_PROTO_MAX
#define C9_NET_PROTO_MAX 15
#endif
#ifndef C9_NET_SESSION_MAX
#define C9_NET_SESSION_MAX 31
#endif
/* Resolved addresses a connection attempt tries in turn. */
#ifndef C9_NET_MAX_ADDRS
#define C9_NET_MAX_ADDRS 4
#endif
/* Interim (1xx) responses the HTTP client skips before a final one. */
#ifndef C9_HTTP_MAX_INTERIM
#define C9_HTTP_MAX_INTERIM 8
#endif
/* Incoming QoS 2 messages the MQTT client can hold between PUBREC and PUBREL. */
#ifndef C9_MQTT_QOS2_INBOUND_MAX
#define C9_MQTT_QOS2_INBOUND_MAX 8
#endif

/* ---- USB host (include/circuit9/usbh.h) --------------------------------------------------------
 * Every table is fixed at build time; c9_usbh_t holds them all (about
 * (C9_USBH_MAX_DEVICES + 1) * (C9_USBH_CONFIG_DESC_MAX + 170 to 200) bytes, plus about 300 per hub). */

/* Device addresses 1..N, hubs included. CircuitPython's RP2040 build allows 6. */
#ifndef C9_USBH_MAX_DEVICES
#define C9_USBH_MAX_DEVICES 8
#endif

/* Hubs the hub driver runs at once (0: no hub support, hubs stay unconfigured). */
#ifndef C9_USBH_MAX_HUBS
#define C9_USBH_MAX_HUBS 2
#endif

/* Downstream ports used per hub; ports above this stay unpowered. */
#ifndef C9_USBH_HUB_MAX_PORTS
#define C9_USBH_HUB_MAX_PORTS 8
#endif

/* Bytes of configuration descriptor cached per device. A longer configuration leaves the
 * device mounted but unconfigured (its config_error is C9_ERR_NOMEM). */
#ifndef C9_USBH_CONFIG_DESC_MAX
#define C9_USBH_CONFIG_DESC_MAX 1024
#endif

/* Endpoints (besides endpoint 0) open at once per device; CircuitPython allows 8. */
#ifndef C9_USBH_MAX_ENDPOINTS
#define C9_USBH_MAX_ENDPOINTS 8
#endif

/* Interfaces per device tracked for class drivers and detach_kernel_driver (numbers 0..N-1). */
#ifndef C9_USBH_MAX_INTERFACES
#define C9_USBH_MAX_INTERFACES 16
#endif

/* Controller events queued between the controller and c9_usbh_task(). Must exceed the number
 * of transfers that can be in flight at once. */
#ifndef C9_USBH_EVENT_QUEUE
#define C9_USBH_EVENT_QUEUE 32
#endif

/* Enumeration timing in milliseconds (USB 2.0 9.1.2 / 7.1.7.3; the values TinyUSB uses). */
#ifndef C9_USBH_DEBOUNCE_MS
#define C9_USBH_DEBOUNCE_MS 150
#endif
#ifndef C9_USBH_RESET_MS
#define C9_USBH_RESET_MS 50
#endif
#ifndef C9_USBH_RESET_RECOVERY_MS
#define C9_USBH_RESET_RECOVERY_MS 10
#endif
#ifndef C9_USBH_SET_ADDRESS_RECOVERY_MS
#define C9_USBH_SET_ADDRESS_RECOVERY_MS 2
#endif
/* Each enumeration request must finish within this time, or the device is given up. */
#ifndef C9_USBH_ENUM_TIMEOUT_MS
#define C9_USBH_ENUM_TIMEOUT_MS 1000
#endif

/* 1: c9_usbh_config_t.tap reports every transfer as usbmon packets (recordings). 0 compiles the
 * tap out (about 1 KB of Cortex-M0+ code with the 64-bit arithmetic it pulls in). */
#ifndef C9_USBH_TAP
#define C9_USBH_TAP 1
#endif

/* ---- USB descriptor summaries (include/circuit9/usb_desc.h) ---- */
#ifndef C9_USB_DESC_MAX_INTERFACES
#define C9_USB_DESC_MAX_INTERFACES 32 /* interface descriptors, alternate settings included */
#endif
#ifndef C9_USB_DESC_MAX_ENDPOINTS
#define C9_USB_DESC_MAX_ENDPOINTS 64
#endif
#ifndef C9_USB_DESC_MAX_IADS
#define C9_USB_DESC_MAX_IADS 8
#endif

/* ---- virtual USB bus and device models (include/circuit9/usbsim.h) ---- */
#ifndef C9_USBSIM_MAX_PIPES
#define C9_USBSIM_MAX_PIPES 48 /* endpoints the virtual controller has open, all devices */
#endif
#ifndef C9_USBSIM_MAX_FAULTS
#define C9_USBSIM_MAX_FAULTS 8
#endif
#ifndef C9_USBSIM_EP0_BUF
#define C9_USBSIM_EP0_BUF 256 /* largest control data stage a model builds (descriptors excepted) */
#endif
#ifndef C9_USBSIM_MAX_INTERFACES
#define C9_USBSIM_MAX_INTERFACES 16
#endif
#ifndef C9_USBSIM_HUB_MAX_PORTS
#define C9_USBSIM_HUB_MAX_PORTS 7
#endif
#ifndef C9_USBSIM_REPORT_QUEUE
#define C9_USBSIM_REPORT_QUEUE 32 /* HID reports a keyboard/mouse/gamepad model holds unread */
#endif
#ifndef C9_USBSIM_CDC_BUF
#define C9_USBSIM_CDC_BUF 256 /* bytes buffered per CDC port and direction */
#endif
#ifndef C9_USBSIM_RAW_MAX_DESC
#define C9_USBSIM_RAW_MAX_DESC 24 /* descriptors a descriptor-set device answers with */
#endif

/* ---- Standard MIDI Files (include/circuit9/smf.h) ---- */
#ifndef C9_SMF_MAX_TRACKS
#define C9_SMF_MAX_TRACKS 32
#endif

/* ---- usbmon pcap / pcapng reader (include/circuit9/usbmon.h) ---- */
#ifndef C9_USBMON_MAX_INTERFACES
#define C9_USBMON_MAX_INTERFACES 8 /* pcapng interfaces per section */
#endif

#endif /* CIRCUIT9_CONFIG_H */
