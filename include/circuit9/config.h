/*
 * circuit9 build configuration.
 *
 * Every option has a default here behind #ifndef, so a firmware project overrides it with
 * -D or by providing "c9_config.h" on the include path (picked up when C9_HAVE_CONFIG_H
 * is defined). Options are tested with #if, and the tree builds with -Wundef, so a
 * misspelt option is a compile error rather than a silent default.
 */
#ifndef CIRCUIT9_CONFIG_H
#define CIRCUIT9_CONFIG_H

#ifdef C9_HAVE_CONFIG_H
#include "c9_config.h"
#endif

/* 1: no libc malloc fallback; every allocation goes through a caller's c9_allocator_t. */
#ifndef C9_NO_MALLOC
#define C9_NO_MALLOC 0
#endif

/* 1: use compiler vector extensions on hot paths where the compiler has them. The portable
 * path is always compiled and tested as well. */
#ifndef C9_USE_VECTOR_EXT
#define C9_USE_VECTOR_EXT 1
#endif

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

/* ---- HID host driver and keyboard workflow (include/circuit9/usbh_hid.h) ---- */
/* HID interfaces waiting for their set-up requests (SET_IDLE, SET_PROTOCOL, report descriptor). */
#ifndef C9_USBH_HID_SETUP_QUEUE
#define C9_USBH_HID_SETUP_QUEUE 8
#endif
/* Longest report descriptor read at set-up (TinyUSB's enumeration buffer in CircuitPython). */
#ifndef C9_USBH_HID_REPORT_DESC_MAX
#define C9_USBH_HID_REPORT_DESC_MAX 256
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
