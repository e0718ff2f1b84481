/* usbmon pcap/pcapng reader and pcap writer. Formats: the pcap file format (tcpdump), pcapng
 * (IETF draft-tuexen-opsawg-pcapng), and the Linux usbmon binary header (usbmon.rst). */
#include "circuit9/usbmon.h"

#include <string.h>

static uint16_t get16(const c9_usbmon_reader_t *r, const uint8_t *p) {
    return r->swapped ? (uint16_t)((p[0] << 8) | p[1]) : (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t get32(const c9_usbmon_reader_t *r, const uint8_t *p) {
    return r->swapped ? ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]
                      : ((uint32_t)p[3] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[1] << 8) | p[0];
}

static uint64_t get64(const c9_usbmon_reader_t *r, const uint8_t *p) {
    uint64_t lo = get32(r, r->swapped ? p + 4 : p), hi = get32(r, r->swapped ? p : p + 4);
    return (hi << 32) | lo;
}

static bool usb_linktype(uint32_t lt) {
    return lt == C9_USBMON_LINKTYPE_USB_LINUX || lt == C9_USBMON_LINKTYPE_USB_LINUX_MMAPPED;
}

#define PCAPNG_SHB 0x0A0D0D0Au
#define PCAPNG_IDB 1u
#define PCAPNG_SPB 3u
#define PCAPNG_EPB 6u
#define PCAPNG_BOM 0x1A2B3C4Du

/* Reads a section header block at r->off: sets byte order, forgets earlier interfaces. */
static c9_err_t read_shb(c9_usbmon_reader_t *r) {
    size_t left = r->len - r->off;
    if (left < 28) {
        return C9_ERR_USBMON_TRUNCATED;
    }
    const uint8_t *p = r->buf + r->off;
    uint32_t bom_le = (uint32_t)p[8] | ((uint32_t)p[9] << 8) | ((uint32_t)p[10] << 16) | ((uint32_t)p[11] << 24);
    if (bom_le == PCAPNG_BOM) {
        r->swapped = false;
    } else if (bom_le == 0x4D3C2B1Au) {
        r->swapped = true;
    } else {
        return C9_ERR_USBMON_FORMAT;
    }
    uint32_t blen = get32(r, p + 4);
    if (blen < 28 || (blen & 3) != 0) {
        return C9_ERR_USBMON_FORMAT;
    }
    if (blen > left) {
        return C9_ERR_USBMON_TRUNCATED;
    }
    if (get32(r, p + blen - 4) != blen || get16(r, p + 12) != 1) {
        return C9_ERR_USBMON_FORMAT;
    }
    r->iface_count = 0;
    r->off += blen;
    return C9_OK;
}

c9_err_t c9_usbmon_open(c9_usbmon_reader_t *r, const uint8_t *buf, size_t len) {
    if (r == NULL || buf == NULL) {
        return C9_ERR_INVAL;
    }
    memset(r, 0, sizeof *r);
    r->buf = buf;
    r->len = len;
    if (len < 4) {
        return len == 0 ? C9_ERR_USBMON_FORMAT : C9_ERR_USBMON_TRUNCATED;
    }
    uint32_t magic = (uint32_t)buf[0] | ((uint32_t)buf[1] << 8) | ((uint32_t)buf[2] << 16) | ((uint32_t)buf[3] << 24);
    if (magic == PCAPNG_SHB) {
        r->pcapng = true;
        return read_shb(r);
    }
    switch (magic) {
    case 0xA1B2C3D4u: break;
    case 0xD4C3B2A1u: r->swapped = true; break;
    case 0xA1B23C4Du: r->nanoseconds = true; break;
    case 0x4D3CB2A1u: r->swapped = r->nanoseconds = true; break;
    default: return C9_ERR_USBMON_FORMAT;
    }
    if (len < 24) {
        return C9_ERR_USBMON_TRUNCATED;
    }
    // The link type's upper bits carry an FCS length in newer files; only the low 16 bits name it.
    r->linktype = get32(r, buf + 20) & 0xFFFFu;
    r->off = 24;
    return usb_linktype(r->linktype) ? C9_OK : C9_ERR_USBMON_LINKTYPE;
}

/* Decodes a usbmon header + data of `caplen` bytes at p. */
static c9_err_t decode(const c9_usbmon_reader_t *r, uint32_t linktype, const uint8_t *p, uint32_t caplen,
                       c9_usbmon_packet_t *out) {
    uint32_t hdr = linktype == C9_USBMON_LINKTYPE_USB_LINUX_MMAPPED ? 64u : 48u;
    if (caplen < hdr) {
        return C9_ERR_USBMON_FORMAT;
    }
    memset(out, 0, sizeof *out);
    out->id = get64(r, p);
    out->type = (char)p[8];
    out->xfer_type = p[9];
    out->ep = p[10];
    out->devnum = p[11];
    out->busnum = get16(r, p + 12);
    out->setup_valid = p[14] == 0;
    out->data_valid = p[15] == 0;
    out->ts_sec = (int64_t)get64(r, p + 16);
    out->ts_usec = (int32_t)get32(r, p + 24);
    out->status = (int32_t)get32(r, p + 28);
    out->length = get32(r, p + 32);
    uint32_t len_cap = get32(r, p + 36);
    memcpy(out->setup, p + 40, 8);
    uint32_t skip = 0;
    if (hdr == 64) {
        out->interval = get32(r, p + 48);
        out->xfer_flags = get32(r, p + 56);
        out->ndesc = get32(r, p + 60);
        if (out->xfer_type == C9_USBMON_ISO) {
            // 16-byte isochronous descriptors come first; a count past the record is malformed.
            if (out->ndesc > (caplen - hdr) / 16u) {
                return C9_ERR_USBMON_FORMAT;
            }
            skip = out->ndesc * 16u;
        }
    }
    uint32_t avail = caplen - hdr - skip;
    out->data = p + hdr + skip;
    // len_cap counts the isochronous descriptors too; a capture may still be cut by the snap length.
    uint32_t want = len_cap > skip ? len_cap - skip : 0;
    out->data_len = want < avail ? want : avail;
    return C9_OK;
}

static c9_err_t next_pcap(c9_usbmon_reader_t *r, c9_usbmon_packet_t *p) {
    size_t left = r->len - r->off;
    if (left == 0) {
        return C9_ERR_NOENT;
    }
    if (left < 16) {
        return C9_ERR_USBMON_TRUNCATED;
    }
    const uint8_t *rec = r->buf + r->off;
    uint32_t caplen = get32(r, rec + 8);
    if (caplen > left - 16) {
        return C9_ERR_USBMON_TRUNCATED;
    }
    c9_err_t err = decode(r, r->linktype, rec + 16, caplen, p);
    if (err != C9_OK) {
        return err;
    }
    r->off += 16u + caplen;
    return C9_OK;
}

static c9_err_t next_pcapng(c9_usbmon_reader_t *r, c9_usbmon_packet_t *p) {
    for (;;) {
        size_t left = r->len - r->off;
        if (left == 0) {
            return C9_ERR_NOENT;
        }
        if (left < 12) {
            return C9_ERR_USBMON_TRUNCATED;
        }
        const uint8_t *b = r->buf + r->off;
        uint32_t type = get32(r, b);
        // The section header's type reads the same in either byte order.
        if (type == PCAPNG_SHB) {
            c9_err_t err = read_shb(r);
            if (err != C9_OK) {
                return err;
            }
            continue;
        }
        uint32_t blen = get32(r, b + 4);
        if (blen < 12 || (blen & 3) != 0) {
            return C9_ERR_USBMON_FORMAT;
        }
        if (blen > left) {
            return C9_ERR_USBMON_TRUNCATED;
        }
        if (get32(r, b + blen - 4) != blen) {
            return C9_ERR_USBMON_FORMAT;
        }
        if (type == PCAPNG_IDB) {
            if (blen < 20) {
                return C9_ERR_USBMON_FORMAT;
            }
            if (r->iface_count >= C9_USBMON_MAX_INTERFACES) {
                return C9_ERR_USBMON_FORMAT;
            }
            r->iface_linktype[r->iface_count++] = get16(r, b + 8);
            r->off += blen;
            continue;
        }
        uint32_t iface, caplen;
        const uint8_t *data;
        if (type == PCAPNG_EPB) {
            if (blen < 32) {
                return C9_ERR_USBMON_FORMAT;
            }
            iface = get32(r, b + 8);
            caplen = get32(r, b + 20);
            data = b + 28;
            if (caplen > blen - 32) {
                return C9_ERR_USBMON_FORMAT;
            }
        } else if (type == PCAPNG_SPB) {
            if (blen < 16) {
                return C9_ERR_USBMON_FORMAT;
            }
            iface = 0;
            uint32_t orig = get32(r, b + 8);
            caplen = blen - 16;
            if (orig < caplen) {
                caplen = orig;
            }
            data = b + 12;
        } else {
            r->off += blen; // statistics, name resolution, custom blocks: not ours
            continue;
        }
        if (iface >= r->iface_count) {
            return C9_ERR_USBMON_FORMAT;
        }
        uint32_t lt = r->iface_linktype[iface];
        if (!usb_linktype(lt)) {
            r->off += blen;
            continue;
        }
        c9_err_t err = decode(r, lt, data, caplen, p);
        if (err != C9_OK) {
            return err;
        }
        r->linktype = lt;
        r->off += blen;
        return C9_OK;
    }
}

c9_err_t c9_usbmon_next(c9_usbmon_reader_t *r, c9_usbmon_packet_t *p) {
    if (r == NULL || p == NULL || r->buf == NULL) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = r->pcapng ? next_pcapng(r, p) : next_pcap(r, p);
    if (err == C9_OK) {
        r->packets++;
    }
    return err;
}

static void put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v) {
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

size_t c9_usbmon_write_file_header(uint8_t *out, size_t cap, uint32_t snaplen) {
    if (out == NULL || cap < C9_USBMON_FILE_HEADER_SIZE) {
        return 0;
    }
    put32(out, 0xA1B2C3D4u);
    put16(out + 4, 2);
    put16(out + 6, 4);
    put32(out + 8, 0);
    put32(out + 12, 0);
    put32(out + 16, snaplen);
    put32(out + 20, C9_USBMON_LINKTYPE_USB_LINUX_MMAPPED);
    return C9_USBMON_FILE_HEADER_SIZE;
}

size_t c9_usbmon_write_packet(const c9_usbmon_packet_t *p, uint8_t *out, size_t cap) {
    if (p == NULL || out == NULL || (p->data_len > 0 && p->data == NULL)) {
        return 0;
    }
    size_t total = C9_USBMON_RECORD_OVERHEAD + p->data_len;
    if (cap < total) {
        return 0;
    }
    uint32_t caplen = 64u + p->data_len;
    put32(out, (uint32_t)p->ts_sec);
    put32(out + 4, (uint32_t)p->ts_usec);
    put32(out + 8, caplen);
    put32(out + 12, caplen);
    uint8_t *h = out + 16;
    memset(h, 0, 64);
    put64(h, p->id);
    h[8] = (uint8_t)p->type;
    h[9] = p->xfer_type;
    h[10] = p->ep;
    h[11] = p->devnum;
    put16(h + 12, p->busnum);
    // usbmon's flags: binary 0 when present, '-' for "no setup", '<'/'>' for data not captured.
    h[14] = p->setup_valid ? 0 : '-';
    h[15] = p->data_valid ? 0 : ((p->ep & 0x80) ? '<' : '>');
    put64(h + 16, (uint64_t)p->ts_sec);
    put32(h + 24, (uint32_t)p->ts_usec);
    put32(h + 28, (uint32_t)p->status);
    put32(h + 32, p->length);
    put32(h + 36, p->data_len);
    memcpy(h + 40, p->setup, 8);
    put32(h + 48, p->interval);
    put32(h + 52, 0);
    put32(h + 56, p->xfer_flags);
    put32(h + 60, 0);
    if (p->data_len > 0) {
        memcpy(h + 64, p->data, p->data_len);
    }
    return total;
}
