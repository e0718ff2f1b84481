/* Shared by the virtual controller, the device framework and the models. */
#ifndef C9_USBSIM_INTERNAL_H
#define C9_USBSIM_INTERNAL_H

#include "circuit9/usbsim.h"

/* c9_usbsim_dev_t.ctrl_state */
enum { CTRL_IDLE = 0, CTRL_DATA_IN = 1, CTRL_DATA_OUT = 2, CTRL_STATUS = 3 };

static inline uint16_t sim_rd16(const uint8_t *p) {
    return (uint16_t)(p[0] | (p[1] << 8));
}

/* Device descriptor, string 0 and the strings of an identity into s; entries 0..n-1 of
 * s->desc. Returns n. Defaults fill what ident leaves 0/NULL. */
typedef struct {
    uint16_t pid;
    const char *product, *serial;
    uint8_t cls, subclass, protocol;
    uint8_t mps0;
    uint8_t configs;
    uint16_t bcd_usb;
    c9_usb_speed_t speed;
} c9__sim_defaults_t;
uint8_t c9__sim_identity(c9_usbsim_dev_t *dev, c9_usbsim_strings_t *s, const c9_usbsim_ident_t *ident,
                         const c9__sim_defaults_t *def);
/* Appends a descriptor entry to s->desc (at index n); returns n + 1 (n if full). */
uint8_t c9__sim_add(c9_usbsim_strings_t *s, uint8_t n, uint8_t type, uint8_t index, uint16_t windex, bool itf,
                    const uint8_t *data, uint16_t len);

/* The framework's control pipeline (the virtual controller drives it stage by stage). */
void c9__sim_setup(c9_usbsim_dev_t *dev, const c9_usb_setup_t *s);
int c9__sim_ctrl_in(c9_usbsim_dev_t *dev, uint8_t *buf, uint16_t max);
void c9__sim_ctrl_in_ack(c9_usbsim_dev_t *dev, uint16_t n);
int c9__sim_ctrl_out(c9_usbsim_dev_t *dev, const uint8_t *data, uint16_t len);
int c9__sim_ctrl_status(c9_usbsim_dev_t *dev);

/* A descriptor of the device (through its op or table). */
const uint8_t *c9__sim_descriptor(c9_usbsim_dev_t *dev, bool itf, uint8_t type, uint8_t index, uint16_t windex,
                                  uint16_t *len);
/* The configuration descriptor with bConfigurationValue `value` (NULL if none). */
const uint8_t *c9__sim_config(c9_usbsim_dev_t *dev, uint8_t value, uint16_t *len);

/* Hub model, for the controller: the device on a port if the port is enabled; time passes. */
c9_usbsim_dev_t *c9__sim_hub_enabled_child(c9_usbsim_hub_t *h, uint8_t port);
void c9__sim_hub_tick(c9_usbsim_hub_t *h, uint64_t now_ms);
void c9__sim_hub_port_gone(c9_usbsim_hub_t *h, uint8_t port);

#endif /* C9_USBSIM_INTERNAL_H */
