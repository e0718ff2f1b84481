/*
 * circuit9 USB definitions and descriptor parsing: the constants of USB 2.0 chapter 9 and the
 * class specifications the host meets (HID, audio/MIDI, CDC, hub), the USB error codes, and
 * parsers that never read past the bytes they are given.
 *
 *     c9_usb_device_desc_t dev;
 *     c9_err_t err = c9_usb_desc_parse_device(buf, len, &dev);   // 18-byte device descriptor
 *     c9_usb_config_info_t cfg;                                   // ~1.6 KB: not for a small stack
 *     err = c9_usb_desc_parse_config(config, config_len, &cfg);
 *     for (unsigned i = 0; i < cfg.itf_count; i++) use(cfg.itf[i].cls, cfg.itf[i].hid_report_len);
 *
 *     size_t off = 0; const uint8_t *d;                          // or walk any descriptor list
 *     while ((err = c9_usb_desc_next(config, config_len, &off, &d)) == C9_OK) use(d[0], d[1]);
 *     // err == C9_ERR_NOENT at the end, a C9_ERR_USB_DESC_* code on a broken chain
 *
 * Structural faults (a bLength that runs past the data or is too short for its type, a wrong
 * descriptor type, impossible values in standard descriptors) are errors. Irregularities real
 * devices ship with (bNumInterfaces or bNumEndpoints that do not match, short class-specific
 * descriptors, endpoints before any interface) are tolerated and reported in `quirks`, the way
 * Linux warns and carries on. Multi-byte fields are little-endian on the wire; the parsers
 * return host values.
 */
#ifndef CIRCUIT9_USB_DESC_H
#define CIRCUIT9_USB_DESC_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- error codes (the USB band, -1100 .. -1139) --------------------------------------------
 * Transfer outcomes come back from every transfer call; descriptor codes from the parsers and
 * from enumeration. docs/usb.md and usbh.h map them to CircuitPython's exceptions. */
/* Domain errors (common.h's error table, band usb): C9_ERR_USB_STALL, C9_ERR_USB_NO_DEVICE,
 * C9_ERR_USB_XFER, C9_ERR_USB_OVERFLOW, C9_ERR_USB_CANCELLED, C9_ERR_USB_NO_CONFIG,
 * C9_ERR_USB_NO_ENDPOINT and the descriptor parsers' C9_ERR_USB_DESC_TRUNCATED, _LENGTH, _TYPE,
 * _VALUE, _LIMIT. */

/* A short English description of a C9_ERR_USB_* code, or c9_strerror() for others. */
const char *c9_usb_strerror(c9_err_t err);

/* ---- standard values ------------------------------------------------------------------------ */
enum {
    C9_USB_DESC_DEVICE = 0x01,
    C9_USB_DESC_CONFIGURATION = 0x02,
    C9_USB_DESC_STRING = 0x03,
    C9_USB_DESC_INTERFACE = 0x04,
    C9_USB_DESC_ENDPOINT = 0x05,
    C9_USB_DESC_DEVICE_QUALIFIER = 0x06,
    C9_USB_DESC_OTHER_SPEED = 0x07,
    C9_USB_DESC_OTG = 0x09,
    C9_USB_DESC_IAD = 0x0B,
    C9_USB_DESC_BOS = 0x0F,
    C9_USB_DESC_HID = 0x21,
    C9_USB_DESC_HID_REPORT = 0x22,
    C9_USB_DESC_CS_INTERFACE = 0x24,
    C9_USB_DESC_CS_ENDPOINT = 0x25,
    C9_USB_DESC_HUB = 0x29,
    C9_USB_DESC_SS_EP_COMPANION = 0x30,
};

enum {
    C9_USB_CLASS_PER_INTERFACE = 0x00,
    C9_USB_CLASS_AUDIO = 0x01,
    C9_USB_CLASS_CDC = 0x02,
    C9_USB_CLASS_HID = 0x03,
    C9_USB_CLASS_HUB = 0x09,
    C9_USB_CLASS_CDC_DATA = 0x0A,
    C9_USB_CLASS_MISC = 0xEF,
    C9_USB_CLASS_VENDOR = 0xFF,
};
enum { C9_USB_SUBCLASS_AUDIO_CONTROL = 1, C9_USB_SUBCLASS_MIDI_STREAMING = 3 };
enum { C9_USB_SUBCLASS_CDC_ACM = 2 };
enum { C9_USB_SUBCLASS_HID_BOOT = 1, C9_USB_PROTOCOL_HID_KEYBOARD = 1, C9_USB_PROTOCOL_HID_MOUSE = 2 };

/* bmRequestType bits. */
#define C9_USB_DIR_IN 0x80u
#define C9_USB_TYPE_STANDARD 0x00u
#define C9_USB_TYPE_CLASS 0x20u
#define C9_USB_TYPE_VENDOR 0x40u
#define C9_USB_TYPE_MASK 0x60u
#define C9_USB_RECIP_DEVICE 0x00u
#define C9_USB_RECIP_INTERFACE 0x01u
#define C9_USB_RECIP_ENDPOINT 0x02u
#define C9_USB_RECIP_OTHER 0x03u
#define C9_USB_RECIP_MASK 0x1Fu

enum {
    C9_USB_REQ_GET_STATUS = 0,
    C9_USB_REQ_CLEAR_FEATURE = 1,
    C9_USB_REQ_SET_FEATURE = 3,
    C9_USB_REQ_SET_ADDRESS = 5,
    C9_USB_REQ_GET_DESCRIPTOR = 6,
    C9_USB_REQ_SET_DESCRIPTOR = 7,
    C9_USB_REQ_GET_CONFIGURATION = 8,
    C9_USB_REQ_SET_CONFIGURATION = 9,
    C9_USB_REQ_GET_INTERFACE = 10,
    C9_USB_REQ_SET_INTERFACE = 11,
};
enum { C9_USB_FEATURE_ENDPOINT_HALT = 0, C9_USB_FEATURE_REMOTE_WAKEUP = 1 };

/* HID class requests (HID 1.11 7.2). */
enum {
    C9_USB_HID_GET_REPORT = 0x01,
    C9_USB_HID_GET_IDLE = 0x02,
    C9_USB_HID_GET_PROTOCOL = 0x03,
    C9_USB_HID_SET_REPORT = 0x09,
    C9_USB_HID_SET_IDLE = 0x0A,
    C9_USB_HID_SET_PROTOCOL = 0x0B,
};

/* CDC PSTN requests. */
enum {
    C9_USB_CDC_SET_LINE_CODING = 0x20,
    C9_USB_CDC_GET_LINE_CODING = 0x21,
    C9_USB_CDC_SET_CONTROL_LINE_STATE = 0x22,
    C9_USB_CDC_SEND_BREAK = 0x23,
};

/* Hub class (USB 2.0 11.24): port features and status bits. */
enum {
    C9_USB_HUB_PORT_CONNECTION = 0,
    C9_USB_HUB_PORT_ENABLE = 1,
    C9_USB_HUB_PORT_SUSPEND = 2,
    C9_USB_HUB_PORT_OVER_CURRENT = 3,
    C9_USB_HUB_PORT_RESET = 4,
    C9_USB_HUB_PORT_POWER = 8,
    C9_USB_HUB_PORT_LOW_SPEED = 9,
    C9_USB_HUB_C_PORT_CONNECTION = 16,
    C9_USB_HUB_C_PORT_ENABLE = 17,
    C9_USB_HUB_C_PORT_SUSPEND = 18,
    C9_USB_HUB_C_PORT_OVER_CURRENT = 19,
    C9_USB_HUB_C_PORT_RESET = 20,
    C9_USB_HUB_C_HUB_LOCAL_POWER = 0,
    C9_USB_HUB_C_HUB_OVER_CURRENT = 1,
};
#define C9_USB_HUB_STATUS_HIGH_SPEED (1u << 10)

/* Endpoint transfer types (bmAttributes & 3). */
enum { C9_USB_XFER_CONTROL = 0, C9_USB_XFER_ISOCHRONOUS = 1, C9_USB_XFER_BULK = 2, C9_USB_XFER_INTERRUPT = 3 };

/* Device speed. 1..3 are usb.util's SPEED_LOW/FULL/HIGH. */
typedef enum c9_usb_speed {
    C9_USB_SPEED_UNKNOWN = 0,
    C9_USB_SPEED_LOW = 1,
    C9_USB_SPEED_FULL = 2,
    C9_USB_SPEED_HIGH = 3,
    C9_USB_SPEED_SUPER = 4,
} c9_usb_speed_t;

/* The 8-byte SETUP packet of a control transfer. */
typedef struct c9_usb_setup {
    uint8_t bmRequestType;
    uint8_t bRequest;
    uint16_t wValue;
    uint16_t wIndex;
    uint16_t wLength;
} c9_usb_setup_t;

void c9_usb_setup_pack(const c9_usb_setup_t *s, uint8_t out[8]);
void c9_usb_setup_unpack(const uint8_t in[8], c9_usb_setup_t *s);

/* ---- parsers --------------------------------------------------------------------------------- */

typedef struct c9_usb_device_desc {
    uint16_t bcdUSB;
    uint8_t bDeviceClass, bDeviceSubClass, bDeviceProtocol;
    uint16_t bMaxPacketSize0; /* bytes: 8, 16, 32, 64, or 512 for a SuperSpeed exponent of 9 */
    uint16_t idVendor, idProduct, bcdDevice;
    uint8_t iManufacturer, iProduct, iSerialNumber;
    uint8_t bNumConfigurations;
} c9_usb_device_desc_t;

/* A device descriptor. C9_ERR_USB_DESC_TRUNCATED (len or bLength below 18),
 * C9_ERR_USB_DESC_TYPE, C9_ERR_USB_DESC_VALUE (bMaxPacketSize0 not 8/16/32/64, or no
 * configurations), C9_ERR_INVAL (NULL). */
c9_err_t c9_usb_desc_parse_device(const uint8_t *buf, size_t len, c9_usb_device_desc_t *out);

/* bMaxPacketSize0 from the first 8 bytes of a device descriptor, as the host reads them before
 * it knows the packet size. Same errors as above (needs len >= 8). */
c9_err_t c9_usb_desc_max_packet0(const uint8_t *buf, size_t len, uint16_t *mps);

/* Steps through a list of descriptors: on C9_OK *desc points at the one at *offset, which is
 * advanced past it (desc[0] bytes, at least 2, all inside buf). C9_ERR_NOENT when *offset
 * reaches len; C9_ERR_USB_DESC_LENGTH for a bLength below 2; C9_ERR_USB_DESC_TRUNCATED when
 * it runs past len (a lone trailing byte included). */
c9_err_t c9_usb_desc_next(const uint8_t *buf, size_t len, size_t *offset, const uint8_t **desc);

/* The header of a configuration descriptor (first 9 bytes). TRUNCATED, TYPE, LENGTH
 * (bLength or wTotalLength below 9). */
typedef struct c9_usb_config_header {
    uint16_t wTotalLength;
    uint8_t bNumInterfaces, bConfigurationValue, iConfiguration, bmAttributes, bMaxPower;
} c9_usb_config_header_t;
c9_err_t c9_usb_desc_parse_config_header(const uint8_t *buf, size_t len, c9_usb_config_header_t *out);

/* Quirks: irregular but usable descriptors, as a bit set in c9_usb_config_info_t.quirks. */
#define C9_USB_QUIRK_NUM_INTERFACES 0x0001u /* bNumInterfaces differs from the interfaces found */
#define C9_USB_QUIRK_NUM_ENDPOINTS 0x0002u  /* an interface's bNumEndpoints differs from its endpoints */
#define C9_USB_QUIRK_ORPHAN 0x0004u         /* an endpoint or class descriptor before any interface */
#define C9_USB_QUIRK_SHORT_CLASS 0x0008u    /* a class-specific descriptor shorter than its type needs */
#define C9_USB_QUIRK_EP_RESERVED 0x0010u    /* reserved bits set in bEndpointAddress */
#define C9_USB_QUIRK_EP_ZERO_SIZE 0x0020u   /* a bulk/interrupt endpoint with wMaxPacketSize 0 */
#define C9_USB_QUIRK_TRAILING 0x0040u       /* bytes after wTotalLength were ignored */
#define C9_USB_QUIRK_DUP_ENDPOINT 0x0080u   /* one endpoint address twice in one alternate setting */

typedef struct c9_usb_ep_info {
    uint8_t address;     /* bEndpointAddress: bit 7 IN */
    uint8_t attributes;  /* bmAttributes: bits 0-1 the transfer type */
    uint16_t max_packet; /* wMaxPacketSize bits 0-10 */
    uint8_t mult;        /* bits 11-12: extra transactions per microframe */
    uint8_t interval;    /* bInterval */
    uint8_t itf_index;   /* index into c9_usb_config_info_t.itf */
    uint8_t midi_jacks;  /* MIDI streaming: bNumEmbMIDIJack of its MS_GENERAL descriptor */
    uint8_t length;      /* bLength: 7, or 9 for audio endpoints */
} c9_usb_ep_info_t;

typedef struct c9_usb_itf_info {
    uint8_t number, alt;
    uint8_t cls, subclass, protocol;
    uint8_t iInterface;
    uint8_t num_endpoints;      /* bNumEndpoints as declared */
    uint8_t ep_first, ep_count; /* its endpoints in c9_usb_config_info_t.ep */
    uint8_t iad;                /* 1 + index of the interface association it belongs to, 0 none */
    uint16_t offset;            /* of the interface descriptor in the configuration */
    uint16_t hid_report_len;    /* HID: wDescriptorLength of its report descriptor (0 none) */
    uint8_t hid_country;
    uint8_t midi_in_jacks, midi_out_jacks;     /* MIDI streaming: jack descriptors */
    uint16_t audio_bcd;                        /* audio control: bcdADC of its header (0x0100, 0x0200) */
    uint8_t cdc_acm_caps;                      /* CDC ACM functional descriptor bmCapabilities */
    uint8_t cdc_union_master, cdc_union_slave; /* CDC union functional descriptor */
    uint8_t cdc_functional;                    /* bit set of CDC functional descriptors seen: 1<<subtype (0..7) */
    uint16_t class_descs;                      /* class-specific descriptors (0x21..0x2F) in the interface */
    uint16_t vendor_descs;                     /* descriptors of unknown or vendor types in the interface */
} c9_usb_itf_info_t;

typedef struct c9_usb_iad_info {
    uint8_t first, count;
    uint8_t cls, subclass, protocol;
    uint8_t iFunction;
} c9_usb_iad_info_t;

typedef struct c9_usb_config_info {
    c9_usb_config_header_t header;
    uint8_t itf_count, ep_count, iad_count;
    uint8_t interfaces; /* distinct bInterfaceNumber values */
    uint32_t quirks;    /* C9_USB_QUIRK_* */
    c9_usb_itf_info_t itf[C9_USB_DESC_MAX_INTERFACES];
    c9_usb_ep_info_t ep[C9_USB_DESC_MAX_ENDPOINTS];
    c9_usb_iad_info_t iad[C9_USB_DESC_MAX_IADS];
} c9_usb_config_info_t;

/* A whole configuration descriptor (wTotalLength bytes; bytes past it are ignored). Returns
 * C9_OK, C9_ERR_INVAL (NULL), C9_ERR_USB_DESC_TRUNCATED (len below wTotalLength, or a
 * descriptor past it), C9_ERR_USB_DESC_LENGTH (a standard descriptor too short: interface 9,
 * endpoint 7, IAD 8, HID 6 + 3 per class descriptor), C9_ERR_USB_DESC_TYPE,
 * C9_ERR_USB_DESC_VALUE (endpoint number 0, an IAD or HID descriptor with a zero count),
 * C9_ERR_USB_DESC_LIMIT. On error `out` holds what was parsed before the fault. */
c9_err_t c9_usb_desc_parse_config(const uint8_t *buf, size_t len, c9_usb_config_info_t *out);

/* The endpoint descriptor for `ep_address` in the alternate-0 settings of a configuration
 * (what usb.core opens), via *desc. C9_ERR_NOENT when absent, or a c9_usb_desc_next error. */
c9_err_t c9_usb_desc_find_endpoint(const uint8_t *config, size_t len, uint8_t ep_address, const uint8_t **desc);

/* A string descriptor as UTF-8 with a terminating NUL. UTF-16 surrogate pairs are combined and
 * unpaired surrogates become U+FFFD; an odd bLength drops its last byte. *out_len gets the UTF-8
 * length without the NUL, also when the buffer is too small (C9_ERR_NOMEM; then out holds as
 * much as fits, NUL-terminated). TRUNCATED (bLength past len, or len < 2), LENGTH (bLength < 2),
 * TYPE. */
c9_err_t c9_usb_desc_string_utf8(const uint8_t *buf, size_t len, char *out, size_t out_size, size_t *out_len);

/* The language ids of string descriptor 0. *count gets the number present (may exceed max; the
 * first max are stored). Same errors as the string parser. */
c9_err_t c9_usb_desc_langids(const uint8_t *buf, size_t len, uint16_t *ids, size_t max, size_t *count);

/* Builds a string descriptor from UTF-8 text (the models' and tests' helper). Returns its
 * length (2 + 2 per UTF-16 unit, at most 254 units), or 0 when cap is below that or the text is
 * not valid UTF-8. */
size_t c9_usb_desc_make_string(const char *utf8, uint8_t *out, size_t cap);

typedef struct c9_usb_hub_desc {
    uint8_t nports;
    uint16_t characteristics;
    uint8_t power_on_ms_div2; /* bPwrOn2PwrGood: power-good delay in 2 ms units */
    uint8_t hub_current_ma;
} c9_usb_hub_desc_t;

/* A hub descriptor (0x29). TRUNCATED, TYPE, LENGTH (below 7 + 2 bitmaps of (nports+8)/8),
 * VALUE (no ports). */
c9_err_t c9_usb_desc_parse_hub(const uint8_t *buf, size_t len, c9_usb_hub_desc_t *out);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_USB_DESC_H */
