/* Helpers shared by the USB unit tests: a virtual clock and a host on a virtual bus. */
#ifndef C9_TEST_USB_TEST_H
#define C9_TEST_USB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "circuit9/usbh.h"
#include "circuit9/usbsim.h"

/* Time only moves when the stack waits: runs are the same every time. */
typedef struct {
    uint64_t now;
    uint64_t delays;
} vclock_t;

static inline uint64_t vclock_now(void *ctx) {
    return ((vclock_t *)ctx)->now;
}

static inline void vclock_delay(void *ctx, uint32_t ms) {
    vclock_t *c = ctx;
    c->now += ms;
    c->delays++;
}

typedef struct {
    vclock_t clock;
    c9_usbsim_t bus;
    c9_usbh_t host;
    int mounts, unmounts;
    c9_usbh_dev_t last_mount, last_unmount;
} rig_t;

static inline void rig_mount(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev) {
    (void)host;
    rig_t *r = ctx;
    r->mounts++;
    r->last_mount = dev;
}

static inline void rig_unmount(void *ctx, c9_usbh_t *host, c9_usbh_dev_t dev) {
    (void)host;
    rig_t *r = ctx;
    r->unmounts++;
    r->last_unmount = dev;
}

static inline c9_usbh_config_t rig_config(rig_t *r) {
    c9_usbh_config_t cfg = {0};
    cfg.hcd = c9_usbsim_hcd();
    cfg.hcd_ctx = &r->bus;
    cfg.rhport = 1;
    cfg.clock = (c9_clock_t){vclock_now, vclock_delay, &r->clock};
    cfg.mount = rig_mount;
    cfg.unmount = rig_unmount;
    cfg.app_ctx = r;
    return cfg;
}

/* A host on a bus with `root` plugged in (may be NULL), enumerated. */
static inline rig_t *rig_new(c9_usbsim_dev_t *root) {
    rig_t *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->clock.now = 1000;
    c9_usbsim_init(&r->bus);
    if (root) {
        assert_int_equal(c9_usbsim_plug(&r->bus, root), C9_OK);
    }
    c9_usbh_config_t cfg = rig_config(r);
    assert_int_equal(c9_usbh_init(&r->host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&r->host, 10000), C9_OK);
    return r;
}

static inline void rig_free(rig_t *r) {
    c9_usbh_deinit(&r->host);
    free(r);
}

/* Reads a whole file (tests only). */
static inline uint8_t *slurp(const char *path, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (buf && n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

#endif /* C9_TEST_USB_TEST_H */
