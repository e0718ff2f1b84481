/* USB descriptor parsers: bounds first, then the fields. Nothing here trusts a length byte. */
#include "circuit9/usb_desc.h"

#include <string.h>

static uint16_t rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

const char *c9_usb_strerror(c9_err_t err) {
    return c9_strerror(err); /* common.h's table has every code's text */
}

void c9_usb_setup_pack(const c9_usb_setup_t *s, uint8_t out[8]) {
    out[0] = s->bmRequestType;
    out[1] = s->bRequest;
    out[2] = (uint8_t)s->wValue;
    out[3] = (uint8_t)(s->wValue >> 8);
    out[4] = (uint8_t)s->wIndex;
    out[5] = (uint8_t)(s->wIndex >> 8);
    out[6] = (uint8_t)s->wLength;
    out[7] = (uint8_t)(s->wLength >> 8);
}

void c9_usb_setup_unpack(const uint8_t in[8], c9_usb_setup_t *s) {
    s->bmRequestType = in[0];
    s->bRequest = in[1];
    s->wValue = rd16(in + 2);
    s->wIndex = rd16(in + 4);
    s->wLength = rd16(in + 6);
}

static c9_err_t check_mps0(uint16_t bcd_usb, uint8_t raw, uint16_t *mps) {
    if (raw == 8 || raw == 16 || raw == 32 || raw == 64) {
        *mps = raw;
        return C9_OK;
    }
    // SuperSpeed devices give an exponent: 2^9 = 512.
    if (raw == 9 && bcd_usb >= 0x0300) {
        *mps = 512;
        return C9_OK;
    }
    return C9_ERR_USB_DESC_VALUE;
}

c9_err_t c9_usb_desc_max_packet0(const uint8_t *buf, size_t len, uint16_t *mps) {
    if (buf == NULL || mps == NULL) {
        return C9_ERR_INVAL;
    }
    if (len < 8) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    if (buf[1] != C9_USB_DESC_DEVICE) {
        return C9_ERR_USB_DESC_TYPE;
    }
    if (buf[0] < 8) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    return check_mps0(rd16(buf + 2), buf[7], mps);
}

c9_err_t c9_usb_desc_parse_device(const uint8_t *buf, size_t len, c9_usb_device_desc_t *out) {
    if (buf == NULL || out == NULL) {
        return C9_ERR_INVAL;
    }
    memset(out, 0, sizeof *out);
    if (len < 2) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    if (buf[1] != C9_USB_DESC_DEVICE) {
        return C9_ERR_USB_DESC_TYPE;
    }
    if (buf[0] < 18 || len < 18) {
        return buf[0] < 18 ? C9_ERR_USB_DESC_LENGTH : C9_ERR_USB_DESC_TRUNCATED;
    }
    out->bcdUSB = rd16(buf + 2);
    out->bDeviceClass = buf[4];
    out->bDeviceSubClass = buf[5];
    out->bDeviceProtocol = buf[6];
    uint16_t mps = 0;
    c9_err_t err = check_mps0(out->bcdUSB, buf[7], &mps);
    out->bMaxPacketSize0 = mps;
    out->idVendor = rd16(buf + 8);
    out->idProduct = rd16(buf + 10);
    out->bcdDevice = rd16(buf + 12);
    out->iManufacturer = buf[14];
    out->iProduct = buf[15];
    out->iSerialNumber = buf[16];
    out->bNumConfigurations = buf[17];
    if (err != C9_OK) {
        return err;
    }
    return out->bNumConfigurations == 0 ? C9_ERR_USB_DESC_VALUE : C9_OK;
}

c9_err_t c9_usb_desc_next(const uint8_t *buf, size_t len, size_t *offset, const uint8_t **desc) {
    if (buf == NULL || offset == NULL || desc == NULL) {
        return C9_ERR_INVAL;
    }
    size_t off = *offset;
    if (off >= len) {
        return C9_ERR_NOENT;
    }
    if (len - off < 2) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    uint8_t blen = buf[off];
    if (blen < 2) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    if (blen > len - off) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    *desc = buf + off;
    *offset = off + blen;
    return C9_OK;
}

c9_err_t c9_usb_desc_parse_config_header(const uint8_t *buf, size_t len, c9_usb_config_header_t *out) {
    if (buf == NULL || out == NULL) {
        return C9_ERR_INVAL;
    }
    memset(out, 0, sizeof *out);
    if (len < 2) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    // OTHER_SPEED_CONFIGURATION has the same layout.
    if (buf[1] != C9_USB_DESC_CONFIGURATION && buf[1] != C9_USB_DESC_OTHER_SPEED) {
        return C9_ERR_USB_DESC_TYPE;
    }
    if (buf[0] < 9) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    if (len < 9) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    out->wTotalLength = rd16(buf + 2);
    out->bNumInterfaces = buf[4];
    out->bConfigurationValue = buf[5];
    out->iConfiguration = buf[6];
    out->bmAttributes = buf[7];
    out->bMaxPower = buf[8];
    return out->wTotalLength < buf[0] ? C9_ERR_USB_DESC_LENGTH : C9_OK;
}

/* Class-specific descriptors of the interface being parsed. Short ones are skipped as quirks:
 * they carry no structure the host depends on. */
static void parse_class_desc(c9_usb_config_info_t *out, c9_usb_itf_info_t *itf, const uint8_t *d) {
    uint8_t len = d[0], type = d[1];
    itf->class_descs++;
    if (len < 3) {
        out->quirks |= C9_USB_QUIRK_SHORT_CLASS;
        return;
    }
    uint8_t subtype = d[2];
    if (itf->cls == C9_USB_CLASS_AUDIO && type == C9_USB_DESC_CS_INTERFACE) {
        if (itf->subclass == C9_USB_SUBCLASS_AUDIO_CONTROL && subtype == 1) {
            // UAC1 header: 8 + bInCollection; UAC2 header: 9.
            if (len < 8) {
                out->quirks |= C9_USB_QUIRK_SHORT_CLASS;
                return;
            }
            itf->audio_bcd = rd16(d + 3);
            if (itf->audio_bcd < 0x0200 && len < 8u + d[7]) {
                out->quirks |= C9_USB_QUIRK_SHORT_CLASS;
            }
        } else if (itf->subclass == C9_USB_SUBCLASS_MIDI_STREAMING) {
            // MIDI 1.0 6.1.2: header 7, IN jack 6, OUT jack 7 + 2 per input pin, element 10+.
            static const uint8_t min_len[5] = {0, 7, 6, 7, 10};
            if (subtype >= 1 && subtype <= 4 && len < min_len[subtype]) {
                out->quirks |= C9_USB_QUIRK_SHORT_CLASS;
                return;
            }
            if (subtype == 2) {
                itf->midi_in_jacks++;
            } else if (subtype == 3) {
                if (len < 7u + 2u * d[5]) {
                    out->quirks |= C9_USB_QUIRK_SHORT_CLASS;
                }
                itf->midi_out_jacks++;
            } else if (subtype == 1) {
                itf->audio_bcd = rd16(d + 3);
            }
        }
    } else if (itf->cls == C9_USB_CLASS_CDC && type == C9_USB_DESC_CS_INTERFACE) {
        // CDC 1.2 5.2.3: header 5, call management 5, ACM 4, union 4 + 1 per subordinate.
        static const uint8_t min_len[7] = {5, 5, 4, 0, 0, 0, 5};
        if (subtype < 7 && min_len[subtype] != 0 && len < min_len[subtype]) {
            out->quirks |= C9_USB_QUIRK_SHORT_CLASS;
            return;
        }
        if (subtype < 8) {
            itf->cdc_functional |= (uint8_t)(1u << subtype);
        }
        if (subtype == 2) {
            itf->cdc_acm_caps = d[3];
        } else if (subtype == 6) {
            itf->cdc_union_master = d[3];
            itf->cdc_union_slave = d[4];
        }
    }
}

/* An interface that declared more endpoints than followed it (or fewer) is a quirk, checked
 * when the next interface starts and at the end of the chain. */
static void check_endpoint_count(c9_usb_config_info_t *out, const c9_usb_itf_info_t *itf) {
    if (itf != NULL && itf->ep_count != itf->num_endpoints) {
        out->quirks |= C9_USB_QUIRK_NUM_ENDPOINTS;
    }
}

/* seen is a bit set of interface numbers: alternate settings repeat a number, and only distinct
 * numbers count against bNumInterfaces. */
static c9_err_t add_interface(c9_usb_config_info_t *out, uint8_t seen[32], const uint8_t *buf, const uint8_t *d,
                              c9_usb_itf_info_t **cur) {
    if (d[0] < 9) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    check_endpoint_count(out, *cur);
    if (out->itf_count >= C9_USB_DESC_MAX_INTERFACES) {
        return C9_ERR_USB_DESC_LIMIT;
    }
    c9_usb_itf_info_t *itf = &out->itf[out->itf_count++];
    *cur = itf;
    itf->number = d[2];
    itf->alt = d[3];
    itf->num_endpoints = d[4];
    itf->cls = d[5];
    itf->subclass = d[6];
    itf->protocol = d[7];
    itf->iInterface = d[8];
    itf->ep_first = out->ep_count;
    itf->offset = (uint16_t)(d - buf);
    if (!(seen[itf->number >> 3] & (1u << (itf->number & 7)))) {
        seen[itf->number >> 3] |= (uint8_t)(1u << (itf->number & 7));
        out->interfaces++;
    }
    // IADs come before the interfaces they group, so every one that covers this number is known.
    for (uint8_t i = 0; i < out->iad_count; i++) {
        const c9_usb_iad_info_t *a = &out->iad[i];
        if (itf->number >= a->first && itf->number - a->first < a->count) {
            itf->iad = (uint8_t)(i + 1);
        }
    }
    return C9_OK;
}

static c9_err_t add_endpoint(c9_usb_config_info_t *out, c9_usb_itf_info_t *itf, const uint8_t *d) {
    uint8_t dlen = d[0];
    if (dlen < 7) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    if ((d[2] & 0x0F) == 0) {
        return C9_ERR_USB_DESC_VALUE;
    }
    if (itf == NULL) {
        out->quirks |= C9_USB_QUIRK_ORPHAN;
        return C9_OK;
    }
    if (out->ep_count >= C9_USB_DESC_MAX_ENDPOINTS) {
        return C9_ERR_USB_DESC_LIMIT;
    }
    for (uint8_t i = itf->ep_first; i < out->ep_count; i++) {
        if (out->ep[i].address == d[2]) {
            out->quirks |= C9_USB_QUIRK_DUP_ENDPOINT;
        }
    }
    c9_usb_ep_info_t *ep = &out->ep[out->ep_count++];
    ep->address = d[2];
    ep->attributes = d[3];
    uint16_t wmps = rd16(d + 4);
    ep->max_packet = wmps & 0x7FF;
    ep->mult = (uint8_t)((wmps >> 11) & 3);
    ep->interval = d[6];
    ep->itf_index = (uint8_t)(itf - out->itf);
    ep->length = dlen;
    itf->ep_count++;
    if (d[2] & 0x70) {
        out->quirks |= C9_USB_QUIRK_EP_RESERVED;
    }
    if (ep->max_packet == 0 && (d[3] & 3) != C9_USB_XFER_ISOCHRONOUS) {
        out->quirks |= C9_USB_QUIRK_EP_ZERO_SIZE;
    }
    return C9_OK;
}

static c9_err_t add_iad(c9_usb_config_info_t *out, const uint8_t *d) {
    if (d[0] < 8) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    if (d[3] == 0) {
        return C9_ERR_USB_DESC_VALUE;
    }
    if (out->iad_count >= C9_USB_DESC_MAX_IADS) {
        return C9_ERR_USB_DESC_LIMIT;
    }
    c9_usb_iad_info_t *a = &out->iad[out->iad_count++];
    a->first = d[2];
    a->count = d[3];
    a->cls = d[4];
    a->subclass = d[5];
    a->protocol = d[6];
    a->iFunction = d[7];
    return C9_OK;
}

/* HID 1.11 6.2.1: 6 bytes plus bDescriptorType/wDescriptorLength per descriptor. Unlike other
 * class descriptors a bad one is an error: the report length is what the host reads next. */
static c9_err_t parse_hid_desc(c9_usb_itf_info_t *itf, const uint8_t *d) {
    uint8_t dlen = d[0];
    if (dlen < 6) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    uint8_t n = d[5];
    if (n == 0) {
        return C9_ERR_USB_DESC_VALUE;
    }
    if (dlen < 6u + 3u * n) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    itf->hid_country = d[4];
    for (uint8_t i = 0; i < n; i++) {
        if (d[6 + 3 * i] == C9_USB_DESC_HID_REPORT && itf->hid_report_len == 0) {
            itf->hid_report_len = rd16(d + 7 + 3 * i);
        }
    }
    itf->class_descs++;
    return C9_OK;
}

static void parse_cs_endpoint(c9_usb_config_info_t *out, c9_usb_itf_info_t *itf, const uint8_t *d) {
    uint8_t dlen = d[0];
    itf->class_descs++;
    // MIDI 1.0 6.2.2: MS_GENERAL is 4 + bNumEmbMIDIJack bytes, after its endpoint.
    if (dlen >= 4 && d[2] == 1 && itf->cls == C9_USB_CLASS_AUDIO && itf->subclass == C9_USB_SUBCLASS_MIDI_STREAMING &&
        out->ep_count > itf->ep_first) {
        if (dlen < 4u + d[3]) {
            out->quirks |= C9_USB_QUIRK_SHORT_CLASS;
        } else {
            out->ep[out->ep_count - 1].midi_jacks = d[3];
        }
    }
}

/* Every descriptor that is not an interface, endpoint, IAD or header: class-specific (0x21-0x2F)
 * or vendor ones, which belong to the interface before them. */
static c9_err_t parse_other_desc(c9_usb_config_info_t *out, c9_usb_itf_info_t *itf, const uint8_t *d) {
    uint8_t type = d[1];
    if (itf == NULL) {
        if (type >= 0x21 && type <= 0x2F) {
            out->quirks |= C9_USB_QUIRK_ORPHAN;
        }
        return C9_OK;
    }
    if (type == C9_USB_DESC_HID && itf->cls == C9_USB_CLASS_HID) {
        return parse_hid_desc(itf, d);
    }
    if (type == C9_USB_DESC_CS_ENDPOINT) {
        parse_cs_endpoint(out, itf, d);
    } else if (type >= 0x21 && type <= 0x2F && itf->cls != C9_USB_CLASS_VENDOR) {
        parse_class_desc(out, itf, d);
    } else {
        itf->vendor_descs++;
    }
    return C9_OK;
}

c9_err_t c9_usb_desc_parse_config(const uint8_t *buf, size_t len, c9_usb_config_info_t *out) {
    if (buf == NULL || out == NULL) {
        return C9_ERR_INVAL;
    }
    memset(out, 0, sizeof *out);
    c9_err_t err = c9_usb_desc_parse_config_header(buf, len, &out->header);
    if (err != C9_OK) {
        return err;
    }
    size_t total = out->header.wTotalLength;
    if (total > len) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    if (len > total) {
        out->quirks |= C9_USB_QUIRK_TRAILING;
    }
    uint8_t seen[32] = {0};
    c9_usb_itf_info_t *itf = NULL;
    size_t off = buf[0];
    const uint8_t *d;
    while ((err = c9_usb_desc_next(buf, total, &off, &d)) == C9_OK) {
        c9_err_t derr;
        switch (d[1]) {
        case C9_USB_DESC_INTERFACE: derr = add_interface(out, seen, buf, d, &itf); break;
        case C9_USB_DESC_ENDPOINT: derr = add_endpoint(out, itf, d); break;
        case C9_USB_DESC_IAD: derr = add_iad(out, d); break;
        case C9_USB_DESC_CONFIGURATION:
        case C9_USB_DESC_DEVICE:
            // A second configuration header inside wTotalLength is a broken chain, not data.
            derr = C9_ERR_USB_DESC_TYPE;
            break;
        default: derr = parse_other_desc(out, itf, d); break;
        }
        if (derr != C9_OK) {
            return derr;
        }
    }
    if (err != C9_ERR_NOENT) {
        return err;
    }
    check_endpoint_count(out, itf);
    if (out->interfaces != out->header.bNumInterfaces) {
        out->quirks |= C9_USB_QUIRK_NUM_INTERFACES;
    }
    return C9_OK;
}

c9_err_t c9_usb_desc_find_endpoint(const uint8_t *config, size_t len, uint8_t ep_address, const uint8_t **desc) {
    if (config == NULL || desc == NULL) {
        return C9_ERR_INVAL;
    }
    size_t off = 0;
    const uint8_t *d;
    c9_err_t err;
    bool alt0 = true;
    while ((err = c9_usb_desc_next(config, len, &off, &d)) == C9_OK) {
        if (d[1] == C9_USB_DESC_INTERFACE && d[0] >= 9) {
            alt0 = d[3] == 0;
        } else if (d[1] == C9_USB_DESC_ENDPOINT && d[0] >= 7 && alt0 && d[2] == ep_address) {
            *desc = d;
            return C9_OK;
        }
    }
    return err;
}

static c9_err_t check_string(const uint8_t *buf, size_t len) {
    if (buf == NULL) {
        return C9_ERR_INVAL;
    }
    if (len < 2) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    if (buf[1] != C9_USB_DESC_STRING) {
        return C9_ERR_USB_DESC_TYPE;
    }
    if (buf[0] < 2) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    if (buf[0] > len) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    return C9_OK;
}

static size_t put_utf8(uint32_t cp, char *tmp) {
    if (cp < 0x80) {
        tmp[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        tmp[0] = (char)(0xC0 | (cp >> 6));
        tmp[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        tmp[0] = (char)(0xE0 | (cp >> 12));
        tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        tmp[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    tmp[0] = (char)(0xF0 | (cp >> 18));
    tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    tmp[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

c9_err_t c9_usb_desc_string_utf8(const uint8_t *buf, size_t len, char *out, size_t out_size, size_t *out_len) {
    c9_err_t err = check_string(buf, len);
    if (err != C9_OK || (out == NULL && out_size != 0) || out_len == NULL) {
        return err != C9_OK ? err : C9_ERR_INVAL;
    }
    size_t units = (size_t)(buf[0] - 2) / 2;
    size_t n = 0;
    bool fits = true;
    for (size_t i = 0; i < units; i++) {
        uint32_t cp = rd16(buf + 2 + 2 * i);
        if (cp >= 0xD800 && cp < 0xDC00 && i + 1 < units) {
            uint32_t lo = rd16(buf + 4 + 2 * i);
            if (lo >= 0xDC00 && lo < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i++;
            } else {
                cp = 0xFFFD;
            }
        } else if (cp >= 0xD800 && cp < 0xE000) {
            cp = 0xFFFD;
        }
        char tmp[4];
        size_t k = put_utf8(cp, tmp);
        if (fits && n + k < out_size) {
            memcpy(out + n, tmp, k);
        } else if (fits) {
            fits = false;
            if (out_size > 0) {
                out[n] = 0;
            }
        }
        n += k;
    }
    if (fits && out_size > 0) {
        out[n] = 0;
    }
    *out_len = n;
    return fits && out_size > 0 ? C9_OK : C9_ERR_NOMEM;
}

c9_err_t c9_usb_desc_langids(const uint8_t *buf, size_t len, uint16_t *ids, size_t max, size_t *count) {
    c9_err_t err = check_string(buf, len);
    if (err != C9_OK || count == NULL || (ids == NULL && max != 0)) {
        return err != C9_OK ? err : C9_ERR_INVAL;
    }
    size_t n = (size_t)(buf[0] - 2) / 2;
    for (size_t i = 0; i < n && i < max; i++) {
        ids[i] = rd16(buf + 2 + 2 * i);
    }
    *count = n;
    return C9_OK;
}

size_t c9_usb_desc_make_string(const char *utf8, uint8_t *out, size_t cap) {
    if (utf8 == NULL || out == NULL) {
        return 0;
    }
    const uint8_t *s = (const uint8_t *)utf8;
    size_t n = 2;
    while (*s) {
        uint32_t cp;
        size_t k;
        if (s[0] < 0x80) {
            cp = s[0];
            k = 1;
        } else if ((s[0] & 0xE0) == 0xC0 && (s[1] & 0xC0) == 0x80) {
            cp = ((uint32_t)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
            k = 2;
        } else if ((s[0] & 0xF0) == 0xE0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
            cp = ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
            k = 3;
        } else if ((s[0] & 0xF8) == 0xF0 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
            cp = ((uint32_t)(s[0] & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) | ((uint32_t)(s[2] & 0x3F) << 6) |
                 (s[3] & 0x3F);
            k = 4;
        } else {
            return 0;
        }
        size_t units = cp >= 0x10000 ? 2 : 1;
        if (n + 2 * units > cap || n + 2 * units > 255) {
            return 0;
        }
        if (units == 2) {
            uint32_t v = cp - 0x10000;
            uint16_t hi = (uint16_t)(0xD800 + (v >> 10)), lo = (uint16_t)(0xDC00 + (v & 0x3FF));
            out[n] = (uint8_t)hi;
            out[n + 1] = (uint8_t)(hi >> 8);
            out[n + 2] = (uint8_t)lo;
            out[n + 3] = (uint8_t)(lo >> 8);
        } else {
            out[n] = (uint8_t)cp;
            out[n + 1] = (uint8_t)(cp >> 8);
        }
        n += 2 * units;
        s += k;
    }
    if (cap < 2) {
        return 0;
    }
    out[0] = (uint8_t)n;
    out[1] = C9_USB_DESC_STRING;
    return n;
}

c9_err_t c9_usb_desc_parse_hub(const uint8_t *buf, size_t len, c9_usb_hub_desc_t *out) {
    if (buf == NULL || out == NULL) {
        return C9_ERR_INVAL;
    }
    memset(out, 0, sizeof *out);
    if (len < 2) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    if (buf[1] != C9_USB_DESC_HUB) {
        return C9_ERR_USB_DESC_TYPE;
    }
    if (buf[0] < 7) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    if (len < 7) {
        return C9_ERR_USB_DESC_TRUNCATED;
    }
    out->nports = buf[2];
    out->characteristics = rd16(buf + 3);
    out->power_on_ms_div2 = buf[5];
    out->hub_current_ma = buf[6];
    if (out->nports == 0) {
        return C9_ERR_USB_DESC_VALUE;
    }
    // DeviceRemovable and PortPwrCtrlMask: one bit per port plus bit 0, rounded up to bytes.
    size_t need = 7u + 2u * ((out->nports + 8u) / 8u);
    if (buf[0] < need) {
        return C9_ERR_USB_DESC_LENGTH;
    }
    return C9_OK;
}
