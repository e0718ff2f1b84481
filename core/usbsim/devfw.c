/* The device side every model shares: chapter 9 standard requests (addresses, configurations,
 * interfaces, halts, descriptors), the control transfer pipeline, identities and strings. */
#include <string.h>

#include "usbsim_internal.h"

#define DEFAULT_VID 0x1209

uint8_t c9__sim_add(c9_usbsim_strings_t *s, uint8_t n, uint8_t type, uint8_t index, uint16_t windex, bool itf,
                    const uint8_t *data, uint16_t len) {
    if (n >= C9_ARRAY_SIZE(s->desc)) {
        return n;
    }
    s->desc[n] = (c9_usbsim_desc_t){type, index, windex, itf, data, len};
    return (uint8_t)(n + 1);
}

uint8_t c9__sim_identity(c9_usbsim_dev_t *dev, c9_usbsim_strings_t *s, const c9_usbsim_ident_t *ident,
                         const c9__sim_defaults_t *def) {
    c9_usbsim_ident_t none = {0};
    if (ident == NULL) {
        ident = &none;
    }
    memset(s, 0, sizeof *s);
    const char *text[3] = {ident->manufacturer ? ident->manufacturer : "circuit9",
                           ident->product ? ident->product : def->product, ident->serial ? ident->serial : def->serial};
    uint8_t n = 0, idx[3] = {0, 0, 0};
    s->langid[0] = 4;
    s->langid[1] = C9_USB_DESC_STRING;
    s->langid[2] = 0x09; // 0x0409, English (United States)
    s->langid[3] = 0x04;
    n = c9__sim_add(s, n, C9_USB_DESC_STRING, 0, 0, false, s->langid, 4);
    uint8_t next = 1;
    for (unsigned i = 0; i < 3; i++) {
        if (text[i] == NULL || text[i][0] == 0) {
            continue;
        }
        size_t len = c9_usb_desc_make_string(text[i], s->str[i], sizeof s->str[i]);
        if (len == 0) {
            continue;
        }
        idx[i] = next;
        n = c9__sim_add(s, n, C9_USB_DESC_STRING, next++, 0x0409, false, s->str[i], (uint16_t)len);
    }
    uint16_t vid = ident->vid ? ident->vid : DEFAULT_VID, pid = ident->pid ? ident->pid : def->pid;
    uint16_t bcd = ident->bcd_device ? ident->bcd_device : 0x0100;
    uint8_t *d = s->device;
    d[0] = 18;
    d[1] = C9_USB_DESC_DEVICE;
    d[2] = (uint8_t)def->bcd_usb;
    d[3] = (uint8_t)(def->bcd_usb >> 8);
    d[4] = def->cls;
    d[5] = def->subclass;
    d[6] = def->protocol;
    d[7] = def->mps0;
    d[8] = (uint8_t)vid;
    d[9] = (uint8_t)(vid >> 8);
    d[10] = (uint8_t)pid;
    d[11] = (uint8_t)(pid >> 8);
    d[12] = (uint8_t)bcd;
    d[13] = (uint8_t)(bcd >> 8);
    d[14] = idx[0];
    d[15] = idx[1];
    d[16] = idx[2];
    d[17] = def->configs;
    n = c9__sim_add(s, n, C9_USB_DESC_DEVICE, 0, 0, false, s->device, 18);
    memset(dev, 0, sizeof *dev);
    dev->speed = ident->speed ? ident->speed : def->speed;
    dev->desc = s->desc;
    return n;
}

/* ---- descriptors ---------------------------------------------------------------------------------- */

const uint8_t *c9__sim_descriptor(c9_usbsim_dev_t *dev, bool itf, uint8_t type, uint8_t index, uint16_t windex,
                                  uint16_t *len) {
    if (dev->ops && dev->ops->descriptor) {
        return dev->ops->descriptor(dev, itf, type, index, windex, len);
    }
    const c9_usbsim_desc_t *any = NULL;
    for (unsigned i = 0; i < dev->desc_count; i++) {
        const c9_usbsim_desc_t *e = &dev->desc[i];
        if (e->type != type || e->index != index || e->interface != itf) {
            continue;
        }
        if (e->windex == windex) {
            *len = e->len;
            return e->data;
        }
        // Strings other than 0 answer whatever language was asked, as most devices do.
        if (type == C9_USB_DESC_STRING && index != 0 && any == NULL) {
            any = e;
        }
    }
    if (any != NULL) {
        *len = any->len;
        return any->data;
    }
    return NULL;
}

const uint8_t *c9__sim_config(c9_usbsim_dev_t *dev, uint8_t value, uint16_t *len) {
    uint16_t dlen;
    const uint8_t *d = c9__sim_descriptor(dev, false, C9_USB_DESC_DEVICE, 0, 0, &dlen);
    uint8_t count = d != NULL && dlen >= 18 ? d[17] : 1;
    for (uint8_t i = 0; i < count; i++) {
        uint16_t clen;
        const uint8_t *c = c9__sim_descriptor(dev, false, C9_USB_DESC_CONFIGURATION, i, 0, &clen);
        if (c != NULL && clen >= 9 && c[5] == value) {
            *len = (uint16_t)C9_MIN(clen, sim_rd16(c + 2));
            return c;
        }
    }
    return NULL;
}

/* Does the active configuration have interface `itf` with setting `alt`? */
static bool has_alt(c9_usbsim_dev_t *dev, uint8_t itf, uint8_t alt) {
    uint16_t len;
    const uint8_t *c = c9__sim_config(dev, dev->config, &len);
    size_t off = 0;
    const uint8_t *d;
    while (c != NULL && c9_usb_desc_next(c, len, &off, &d) == C9_OK) {
        if (d[1] == C9_USB_DESC_INTERFACE && d[0] >= 9 && d[2] == itf && d[3] == alt) {
            return true;
        }
    }
    return false;
}

static uint32_t halt_bit(uint8_t ep) {
    return 1u << ((ep & 0x0F) + ((ep & 0x80) ? 16 : 0));
}

/* ---- standard requests ----------------------------------------------------------------------------- */

static void event(c9_usbsim_dev_t *dev, c9_usbsim_event_t ev, uint8_t arg) {
    if (dev->ops && dev->ops->event) {
        dev->ops->event(dev, ev, arg);
    }
}

void c9_usbsim_dev_reset(c9_usbsim_dev_t *dev) {
    dev->address = 0;
    dev->config = 0;
    dev->halted = 0;
    dev->ctrl_state = CTRL_IDLE;
    memset(dev->alt, 0, sizeof dev->alt);
    event(dev, C9_USBSIM_EV_RESET, 0);
}

static int model_control(c9_usbsim_dev_t *dev, const c9_usb_setup_t *s, uint8_t *data, uint16_t *len) {
    if (dev->ops == NULL || dev->ops->control == NULL) {
        return C9_USBSIM_STALL;
    }
    return dev->ops->control(dev, s, data, len) == C9_OK ? C9_OK : C9_USBSIM_STALL;
}

/* An IN request: sets ctrl_data/ctrl_len, or returns C9_USBSIM_STALL. */
static int request_in(c9_usbsim_dev_t *dev, const c9_usb_setup_t *s) {
    uint8_t recip = s->bmRequestType & C9_USB_RECIP_MASK;
    dev->ctrl_data = dev->ctrl_buf;
    dev->ctrl_len = 0;
    if ((s->bmRequestType & C9_USB_TYPE_MASK) == C9_USB_TYPE_STANDARD) {
        switch (s->bRequest) {
        case C9_USB_REQ_GET_DESCRIPTOR: {
            if (recip != C9_USB_RECIP_DEVICE && recip != C9_USB_RECIP_INTERFACE) {
                return C9_USBSIM_STALL;
            }
            uint16_t len;
            const uint8_t *d = c9__sim_descriptor(dev, recip == C9_USB_RECIP_INTERFACE, (uint8_t)(s->wValue >> 8),
                                                  (uint8_t)s->wValue, s->wIndex, &len);
            if (d == NULL) {
                return C9_USBSIM_STALL;
            }
            dev->ctrl_data = d;
            dev->ctrl_len = len;
            return C9_OK;
        }
        case C9_USB_REQ_GET_CONFIGURATION:
            dev->ctrl_buf[0] = dev->config;
            dev->ctrl_len = 1;
            return C9_OK;
        case C9_USB_REQ_GET_STATUS:
            dev->ctrl_buf[0] = dev->ctrl_buf[1] = 0;
            if (recip == C9_USB_RECIP_DEVICE) {
                dev->ctrl_buf[0] = dev->self_powered ? 1 : 0;
            } else if (recip == C9_USB_RECIP_ENDPOINT) {
                dev->ctrl_buf[0] = (dev->halted & halt_bit((uint8_t)s->wIndex)) ? 1 : 0;
            }
            dev->ctrl_len = 2;
            return C9_OK;
        case C9_USB_REQ_GET_INTERFACE:
            if (dev->config == 0 || s->wIndex >= C9_USBSIM_MAX_INTERFACES ||
                !has_alt(dev, (uint8_t)s->wIndex, dev->alt[s->wIndex])) {
                return C9_USBSIM_STALL;
            }
            dev->ctrl_buf[0] = dev->alt[s->wIndex];
            dev->ctrl_len = 1;
            return C9_OK;
        default: break;
        }
    }
    uint16_t len = (uint16_t)C9_MIN(s->wLength, C9_USBSIM_EP0_BUF);
    int r = model_control(dev, s, dev->ctrl_buf, &len);
    dev->ctrl_len = len;
    return r;
}

/* An OUT or no-data request, run at the status stage with its data. */
static int request_out(c9_usbsim_dev_t *dev, const c9_usb_setup_t *s) {
    uint8_t recip = s->bmRequestType & C9_USB_RECIP_MASK;
    if ((s->bmRequestType & C9_USB_TYPE_MASK) == C9_USB_TYPE_STANDARD) {
        switch (s->bRequest) {
        case C9_USB_REQ_SET_ADDRESS:
            if (recip != C9_USB_RECIP_DEVICE || s->wValue > 127) {
                return C9_USBSIM_STALL;
            }
            dev->address = (uint8_t)s->wValue; // after the status stage: this call is it
            return C9_OK;
        case C9_USB_REQ_SET_CONFIGURATION: {
            uint8_t value = (uint8_t)s->wValue;
            uint16_t len;
            if (value != 0 && c9__sim_config(dev, value, &len) == NULL) {
                return C9_USBSIM_STALL;
            }
            dev->config = value;
            dev->halted = 0;
            memset(dev->alt, 0, sizeof dev->alt);
            event(dev, C9_USBSIM_EV_CONFIGURED, value);
            return C9_OK;
        }
        case C9_USB_REQ_SET_INTERFACE:
            if (dev->config == 0 || s->wIndex >= C9_USBSIM_MAX_INTERFACES ||
                !has_alt(dev, (uint8_t)s->wIndex, (uint8_t)s->wValue)) {
                return C9_USBSIM_STALL;
            }
            dev->alt[s->wIndex] = (uint8_t)s->wValue;
            event(dev, C9_USBSIM_EV_INTERFACE, (uint8_t)s->wIndex);
            return C9_OK;
        case C9_USB_REQ_CLEAR_FEATURE:
        case C9_USB_REQ_SET_FEATURE:
            if (recip == C9_USB_RECIP_ENDPOINT && s->wValue == C9_USB_FEATURE_ENDPOINT_HALT) {
                uint8_t ep = (uint8_t)s->wIndex;
                if ((ep & 0x0F) == 0) {
                    return C9_OK; // endpoint 0 cannot stay halted
                }
                if (s->bRequest == C9_USB_REQ_SET_FEATURE) {
                    dev->halted |= halt_bit(ep);
                } else {
                    dev->halted &= ~halt_bit(ep);
                    event(dev, C9_USBSIM_EV_CLEAR_HALT, ep);
                }
                return C9_OK;
            }
            if (recip == C9_USB_RECIP_DEVICE) {
                return C9_OK; // remote wakeup, test mode
            }
            break;
        default: break;
        }
    }
    uint16_t len = dev->ctrl_len;
    return model_control(dev, s, dev->ctrl_buf, &len);
}

/* ---- control pipeline ------------------------------------------------------------------------------ */

void c9__sim_setup(c9_usbsim_dev_t *dev, const c9_usb_setup_t *s) {
    dev->setup = *s;
    dev->ctrl_stall = false;
    dev->ctrl_pos = 0;
    dev->ctrl_len = 0;
    dev->ctrl_data = dev->ctrl_buf;
    if (s->wLength == 0) {
        dev->ctrl_state = CTRL_STATUS;
    } else if (s->bmRequestType & C9_USB_DIR_IN) {
        dev->ctrl_state = CTRL_DATA_IN;
        dev->ctrl_stall = request_in(dev, s) != C9_OK;
        if (dev->ctrl_len > s->wLength) {
            dev->ctrl_len = s->wLength;
        }
    } else {
        dev->ctrl_state = CTRL_DATA_OUT;
    }
}

int c9__sim_ctrl_in(c9_usbsim_dev_t *dev, uint8_t *buf, uint16_t max) {
    if (dev->ctrl_stall || dev->ctrl_state != CTRL_DATA_IN) {
        return C9_USBSIM_STALL;
    }
    uint16_t n = (uint16_t)C9_MIN(max, dev->ctrl_len - dev->ctrl_pos);
    memcpy(buf, dev->ctrl_data + dev->ctrl_pos, n);
    return n;
}

void c9__sim_ctrl_in_ack(c9_usbsim_dev_t *dev, uint16_t n) {
    dev->ctrl_pos = (uint16_t)(dev->ctrl_pos + n);
}

int c9__sim_ctrl_out(c9_usbsim_dev_t *dev, const uint8_t *data, uint16_t len) {
    if (dev->ctrl_stall || dev->ctrl_state != CTRL_DATA_OUT) {
        return C9_USBSIM_STALL;
    }
    if ((size_t)dev->ctrl_len + len > C9_USBSIM_EP0_BUF || (size_t)dev->ctrl_len + len > dev->setup.wLength) {
        dev->ctrl_stall = true;
        return C9_USBSIM_STALL;
    }
    memcpy(dev->ctrl_buf + dev->ctrl_len, data, len);
    dev->ctrl_len = (uint16_t)(dev->ctrl_len + len);
    return C9_OK;
}

int c9__sim_ctrl_status(c9_usbsim_dev_t *dev) {
    if (dev->ctrl_stall) {
        return C9_USBSIM_STALL;
    }
    int r = C9_OK;
    if (dev->ctrl_state == CTRL_DATA_OUT || (dev->ctrl_state == CTRL_STATUS && !(dev->setup.bmRequestType & 0x80))) {
        r = request_out(dev, &dev->setup);
    } else if (dev->ctrl_state == CTRL_STATUS) {
        r = request_in(dev, &dev->setup); // an IN request with wLength 0: run it, send nothing
    }
    dev->ctrl_state = CTRL_IDLE;
    return r;
}

c9_err_t c9_usbsim_dev_control(c9_usbsim_dev_t *dev, const c9_usb_setup_t *setup, uint8_t *data, size_t *actual,
                               uint64_t now_ms) {
    if (dev == NULL || setup == NULL || actual == NULL || (data == NULL && setup->wLength > 0)) {
        return C9_ERR_INVAL;
    }
    *actual = 0;
    dev->now_ms = now_ms;
    c9__sim_setup(dev, setup);
    if (dev->ctrl_state == CTRL_DATA_IN) {
        int n = c9__sim_ctrl_in(dev, data, setup->wLength);
        if (n < 0) {
            dev->ctrl_state = CTRL_IDLE;
            return C9_ERR_USB_STALL;
        }
        c9__sim_ctrl_in_ack(dev, (uint16_t)n);
        *actual = (size_t)n;
    } else if (dev->ctrl_state == CTRL_DATA_OUT) {
        if (c9__sim_ctrl_out(dev, data, setup->wLength) != C9_OK) {
            dev->ctrl_state = CTRL_IDLE;
            return C9_ERR_USB_STALL;
        }
        *actual = setup->wLength;
    }
    return c9__sim_ctrl_status(dev) == C9_OK ? C9_OK : C9_ERR_USB_STALL;
}

/* ---- endpoints ----------------------------------------------------------------------------------------- */

int c9_usbsim_dev_in(c9_usbsim_dev_t *dev, uint8_t ep, uint8_t *buf, uint16_t max, uint64_t now_ms) {
    dev->now_ms = now_ms;
    if (dev->halted & halt_bit(ep)) {
        return C9_USBSIM_STALL;
    }
    if (dev->config == 0 || dev->ops == NULL || dev->ops->in == NULL) {
        return dev->config == 0 ? C9_USBSIM_STALL : C9_USBSIM_NAK;
    }
    int r = dev->ops->in(dev, ep, buf, max);
    if (r == C9_USBSIM_STALL) {
        dev->halted |= halt_bit(ep); // a function stall lasts until CLEAR_FEATURE(HALT)
    }
    return r;
}

void c9_usbsim_dev_in_ack(c9_usbsim_dev_t *dev, uint8_t ep, uint16_t len) {
    if (dev->ops && dev->ops->in_ack) {
        dev->ops->in_ack(dev, ep, len);
    }
}

int c9_usbsim_dev_out(c9_usbsim_dev_t *dev, uint8_t ep, const uint8_t *data, uint16_t len, uint64_t now_ms) {
    dev->now_ms = now_ms;
    if (dev->halted & halt_bit(ep)) {
        return C9_USBSIM_STALL;
    }
    if (dev->config == 0) {
        return C9_USBSIM_STALL;
    }
    if (dev->ops == NULL || dev->ops->out == NULL) {
        return C9_OK; // a sink
    }
    int r = dev->ops->out(dev, ep, data, len);
    if (r == C9_USBSIM_STALL) {
        dev->halted |= halt_bit(ep);
    }
    return r;
}
