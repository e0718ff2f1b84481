/*
 * circuit9 usbmon captures: a reader for pcap and pcapng files holding Linux usbmon packets
 * (LINKTYPE_USB_LINUX_MMAPPED = 220, 64-byte headers, and LINKTYPE_USB_LINUX = 189, 48-byte
 * headers), and a writer of LINKTYPE 220 pcap files. Wireshark, tcpdump and umockdev read
 * what the writer produces; the host stack's tap (usbh.h) feeds it.
 *
 *     c9_usbmon_reader_t r;
 *     c9_err_t err = c9_usbmon_open(&r, file_bytes, file_len);    // the bytes stay the caller's
 *     c9_usbmon_packet_t p;
 *     while ((err = c9_usbmon_next(&r, &p)) == C9_OK) use(p.type, p.devnum, p.data, p.data_len);
 *     // err == C9_ERR_NOENT at the end of the file
 *
 * Packet data points into the caller's buffer; nothing is copied or allocated. Packets of other
 * link types in a pcapng file are skipped. Header fields are in the byte order of the capturing
 * machine, which a pcap file's magic number gives; the reader swaps them when needed, as
 * libpcap does.
 */
#ifndef CIRCUIT9_USBMON_H
#define CIRCUIT9_USBMON_H

#include "circuit9/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Domain errors (common.h's error table, band usb): C9_ERR_USBMON_FORMAT (not a pcap/pcapng file,
 * or a malformed record or block), C9_ERR_USBMON_TRUNCATED (a record or block runs past the end),
 * C9_ERR_USBMON_LINKTYPE (a pcap file of another link type than 189 or 220). */

#define C9_USBMON_LINKTYPE_USB_LINUX 189
#define C9_USBMON_LINKTYPE_USB_LINUX_MMAPPED 220

/* URB status values in usbmon packets: negated Linux errno numbers. */
#define C9_USBMON_STATUS_OK 0
#define C9_USBMON_STATUS_ENOENT (-2)        /* unlinked (cancelled) */
#define C9_USBMON_STATUS_EINPROGRESS (-115) /* a submission's status */
#define C9_USBMON_STATUS_EPIPE (-32)        /* stall */
#define C9_USBMON_STATUS_EPROTO (-71)       /* transaction error */
#define C9_USBMON_STATUS_EOVERFLOW (-75)    /* babble */
#define C9_USBMON_STATUS_ENODEV (-19)       /* device gone */
#define C9_USBMON_STATUS_ETIMEDOUT (-110)
#define C9_USBMON_STATUS_ESHUTDOWN (-108)

/* usbmon transfer types. */
enum { C9_USBMON_ISO = 0, C9_USBMON_INTERRUPT = 1, C9_USBMON_CONTROL = 2, C9_USBMON_BULK = 3 };

typedef struct c9_usbmon_packet {
    uint64_t id;       /* URB id: the same on submission and completion */
    char type;         /* 'S' submission, 'C' completion, 'E' error */
    uint8_t xfer_type; /* C9_USBMON_ISO .. C9_USBMON_BULK */
    uint8_t ep;        /* endpoint address, bit 7 IN */
    uint8_t devnum;    /* device address */
    uint16_t busnum;
    bool setup_valid; /* setup[] holds the SETUP packet (control submissions) */
    bool data_valid;  /* data/data_len is the URB's data (flag_data was 0) */
    uint8_t setup[8];
    int64_t ts_sec; /* from the usbmon header */
    int32_t ts_usec;
    int32_t status;      /* C9_USBMON_STATUS_* (negative errno) */
    uint32_t length;     /* urb length: requested (S) or actual (C) */
    uint32_t interval;   /* 220 only */
    uint32_t xfer_flags; /* 220 only */
    uint32_t ndesc;      /* 220 only: isochronous descriptors before the data */
    const uint8_t *data; /* captured data (without isochronous descriptors) */
    uint32_t data_len;
} c9_usbmon_packet_t;

typedef struct c9_usbmon_reader {
    const uint8_t *buf;
    size_t len, off;
    bool pcapng;
    bool swapped;      /* multi-byte fields are big-endian (the file's byte order) */
    bool nanoseconds;  /* pcap timestamps in ns */
    uint32_t linktype; /* pcap: the file's; pcapng: of the packet last returned */
    uint32_t iface_count;
    uint16_t iface_linktype[C9_USBMON_MAX_INTERFACES];
    uint64_t packets; /* packets returned so far */
} c9_usbmon_reader_t;

/* Checks the file header. C9_OK, C9_ERR_INVAL (NULL), C9_ERR_USBMON_FORMAT (unknown magic or a
 * bad header), C9_ERR_USBMON_TRUNCATED, C9_ERR_USBMON_LINKTYPE (a pcap file of another link
 * type; pcapng files are checked per interface). */
c9_err_t c9_usbmon_open(c9_usbmon_reader_t *r, const uint8_t *buf, size_t len);

/* The next usbmon packet. C9_OK, C9_ERR_NOENT at the end, C9_ERR_USBMON_FORMAT (a record
 * shorter than the usbmon header, isochronous descriptors past the record, a block with a bad
 * length, more interfaces than C9_USBMON_MAX_INTERFACES, a packet on an undeclared interface),
 * C9_ERR_USBMON_TRUNCATED. After an error the reader stays at the bad record. */
c9_err_t c9_usbmon_next(c9_usbmon_reader_t *r, c9_usbmon_packet_t *p);

/* ---- writer (LINKTYPE 220, little-endian, microsecond timestamps) ---- */

#define C9_USBMON_FILE_HEADER_SIZE 24u
#define C9_USBMON_RECORD_OVERHEAD (16u + 64u) /* pcap record header + usbmon header */

/* Writes the 24-byte pcap file header. Returns C9_USBMON_FILE_HEADER_SIZE, or 0 if cap is
 * smaller. */
size_t c9_usbmon_write_file_header(uint8_t *out, size_t cap, uint32_t snaplen);

/* Writes one record (pcap record header, 64-byte usbmon header, p->data_len bytes of data).
 * Timestamps come from p->ts_sec/ts_usec. Returns the bytes written, or 0 if cap is smaller than
 * C9_USBMON_RECORD_OVERHEAD + p->data_len. */
size_t c9_usbmon_write_packet(const c9_usbmon_packet_t *p, uint8_t *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_USBMON_H */
