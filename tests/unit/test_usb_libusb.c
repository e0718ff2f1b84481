/* The libusb back-end (ports/host/usb_libusb.c) under umockdev: no root, no kernel module.
 *
 * umockdev's preload library (the test re-runs itself under umockdev-wrapper) fakes sysfs and
 * udev from tests/fixtures/usb/keyboard.umockdev, so libusb finds a keyboard at 001/002; its
 * usbdevfs ioctls (SUBMITURB, REAPURB, DISCARDURB, SETCONFIGURATION, CLEAR_HALT, ...) come to
 * the handler below, which answers them with circuit9's keyboard model, the way the kernel
 * would answer them with a real keyboard. The host stack then enumerates, reads strings,
 * sends class requests and reads typed reports through libusb's asynchronous API, with stalls,
 * timeouts and an unplug. A second test replays a usbmon recording through umockdev's own pcap
 * replay (an implementation that is not ours) to the same back-end. */
#define _GNU_SOURCE
#if C9_HAVE_UMOCKDEV
#include <errno.h>
#include <sys/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <time.h>
#include <unistd.h>

#include <umockdev.h>

#include "circuit9/host_usb.h"
#include "usb_test.h"

#define DEVNODE "/dev/bus/usb/001/002"
#define SYSPATH "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-2"

typedef struct {
    UMockdevIoctlData *urb;    /* the client's struct usbdevfs_urb, resolved */
    UMockdevIoctlData *buffer; /* its buffer, resolved */
    bool done;
} urb_t;

static struct {
    GMutex lock;
    c9_usbsim_keyboard_t kbd;
    GPtrArray *pending;   /* urb_t* submitted, not yet complete */
    GPtrArray *completed; /* urb_t* ready to reap */
    bool unplugged;
    unsigned submits, discards, unknown;
} fx;

static uint64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t clock_now(void *ctx) {
    (void)ctx;
    return mono_ms();
}

static void urb_free(urb_t *u) {
    umockdev_ioctl_data_unref(u->urb);
    umockdev_ioctl_data_unref(u->buffer);
    g_free(u);
}

/* Moves IN data from the model into an interrupt/bulk URB, packet by packet (8-byte endpoint). */
static void run_in(urb_t *u) {
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->urb->data;
    while (!u->done) {
        uint8_t pkt[64];
        int n = c9_usbsim_dev_in(&fx.kbd.dev, urb->endpoint, pkt, 8, mono_ms());
        if (n == C9_USBSIM_NAK) {
            return;
        }
        if (n < 0) {
            urb->status = -EPIPE;
            u->done = true;
            return;
        }
        int room = urb->buffer_length - urb->actual_length;
        if (n > room) {
            urb->status = -EOVERFLOW;
            u->done = true;
            return;
        }
        memcpy(u->buffer->data + urb->actual_length, pkt, (size_t)n);
        urb->actual_length += n;
        c9_usbsim_dev_in_ack(&fx.kbd.dev, urb->endpoint, (uint16_t)n);
        if (n < 8 || urb->actual_length == urb->buffer_length) {
            urb->status = 0;
            u->done = true;
        }
    }
}

static void submit(urb_t *u) {
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->urb->data;
    urb->actual_length = 0;
    urb->status = 0;
    if (urb->type == USBDEVFS_URB_TYPE_CONTROL) {
        // The buffer starts with the SETUP packet; the data stage follows it.
        c9_usb_setup_t s;
        c9_usb_setup_unpack(u->buffer->data, &s);
        size_t actual = 0;
        c9_err_t err = c9_usbsim_dev_control(&fx.kbd.dev, &s, u->buffer->data + 8, &actual, mono_ms());
        urb->status = err == C9_OK ? 0 : -EPIPE;
        urb->actual_length = (int)actual;
        u->done = true;
    } else if (urb->endpoint & 0x80) {
        run_in(u);
    } else {
        int r = c9_usbsim_dev_out(&fx.kbd.dev, urb->endpoint, u->buffer->data, (uint16_t)urb->buffer_length, mono_ms());
        urb->status = r == C9_OK ? 0 : -EPIPE;
        urb->actual_length = r == C9_OK ? urb->buffer_length : 0;
        u->done = true;
    }
    g_ptr_array_add(u->done ? fx.completed : fx.pending, u);
}

static gboolean handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer data) {
    (void)handler;
    (void)data;
    gulong request = umockdev_ioctl_client_get_request(client);
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    g_mutex_lock(&fx.lock);
    gboolean handled = TRUE;
    if (fx.unplugged && request != USBDEVFS_REAPURB && request != USBDEVFS_REAPURBNDELAY &&
        request != USBDEVFS_DISCARDURB) {
        // Gone: what the kernel answers for a disconnected device.
        umockdev_ioctl_client_complete(client, -1, ENODEV);
        g_mutex_unlock(&fx.lock);
        return TRUE;
    }
    switch (request) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
        *(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                              USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
        umockdev_ioctl_data_unref(d);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_DISCONNECT_CLAIM: // libusb's auto-detach: no kernel driver to disconnect here
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_RESETEP: umockdev_ioctl_client_complete(client, 0, 0); break;
    case USBDEVFS_GETDRIVER: umockdev_ioctl_client_complete(client, -1, ENODATA); break; // no kernel driver bound
    case USBDEVFS_IOCTL: umockdev_ioctl_client_complete(client, -1, ENODATA); break;
    case USBDEVFS_SETCONFIGURATION:
    case USBDEVFS_CLEAR_HALT: {
        UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(unsigned int), NULL);
        unsigned int v = *(unsigned int *)d->data;
        umockdev_ioctl_data_unref(d);
        c9_usb_setup_t s = request == USBDEVFS_SETCONFIGURATION
                               ? (c9_usb_setup_t){0x00, C9_USB_REQ_SET_CONFIGURATION, (uint16_t)v, 0, 0}
                               : (c9_usb_setup_t){0x02, C9_USB_REQ_CLEAR_FEATURE, 0, (uint16_t)v, 0};
        size_t actual;
        c9_err_t err = c9_usbsim_dev_control(&fx.kbd.dev, &s, NULL, &actual, mono_ms());
        umockdev_ioctl_client_complete(client, err == C9_OK ? 0 : -1, err == C9_OK ? 0 : EPIPE);
        break;
    }
    case USBDEVFS_SUBMITURB: {
        urb_t *u = g_new0(urb_t, 1);
        u->urb = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
        struct usbdevfs_urb *urb = (struct usbdevfs_urb *)u->urb->data;
        u->buffer = umockdev_ioctl_data_resolve(u->urb, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                (gsize)urb->buffer_length, NULL);
        fx.submits++;
        submit(u);
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_DISCARDURB: {
        // The argument is the URB's address in the client's memory.
        gulong target = *(gulong *)arg->data;
        bool found = false;
        for (guint i = 0; i < fx.pending->len && !found; i++) {
            urb_t *u = g_ptr_array_index(fx.pending, i);
            if (u->urb->client_addr == target) {
                g_ptr_array_remove_index(fx.pending, i);
                ((struct usbdevfs_urb *)u->urb->data)->status = -ENOENT;
                u->done = true;
                g_ptr_array_add(fx.completed, u);
                fx.discards++;
                found = true;
            }
        }
        umockdev_ioctl_client_complete(client, found ? 0 : -1, found ? 0 : EINVAL);
        break;
    }
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY: {
        for (guint i = 0; i < fx.pending->len;) {
            urb_t *u = g_ptr_array_index(fx.pending, i);
            if (fx.unplugged) {
                // The kernel kills the URBs of a disconnected device; they are still reaped.
                ((struct usbdevfs_urb *)u->urb->data)->status = -ENODEV;
                u->done = true;
            } else {
                run_in(u); // the model may have data now
            }
            if (u->done) {
                g_ptr_array_remove_index(fx.pending, i);
                g_ptr_array_add(fx.completed, u);
            } else {
                i++;
            }
        }
        if (fx.completed->len == 0) {
            umockdev_ioctl_client_complete(client, -1, fx.unplugged ? ENODEV : EAGAIN);
            break;
        }
        urb_t *u = g_ptr_array_index(fx.completed, 0);
        g_ptr_array_remove_index(fx.completed, 0);
        UMockdevIoctlData *ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
        umockdev_ioctl_data_set_ptr(ptr, 0, u->urb);
        umockdev_ioctl_data_unref(ptr);
        umockdev_ioctl_client_complete(client, 0, 0);
        urb_free(u);
        break;
    }
    default:
        fprintf(stderr, "usbdevfs ioctl %#lx not emulated\n", request);
        fx.unknown++;
        handled = FALSE;
        break;
    }
    g_mutex_unlock(&fx.lock);
    return handled;
}

/* ---- fixture ---- */

static UMockdevTestbed *testbed;
static UMockdevIoctlBase *handler;

static int setup(void **state) {
    (void)state;
    g_mutex_init(&fx.lock);
    fx.pending = g_ptr_array_new();
    fx.completed = g_ptr_array_new();
    fx.unplugged = false;
    fx.submits = fx.discards = fx.unknown = 0;
    c9_usbsim_keyboard_init(&fx.kbd, NULL);
    // What the kernel did at plug-in: address 2, configuration 1.
    size_t actual;
    c9_usb_setup_t addr = {0, C9_USB_REQ_SET_ADDRESS, 2, 0, 0}, cfg = {0, C9_USB_REQ_SET_CONFIGURATION, 1, 0, 0};
    assert_int_equal(c9_usbsim_dev_control(&fx.kbd.dev, &addr, NULL, &actual, 0), C9_OK);
    assert_int_equal(c9_usbsim_dev_control(&fx.kbd.dev, &cfg, NULL, &actual, 0), C9_OK);
    testbed = umockdev_testbed_new();
    handler = umockdev_ioctl_base_new();
    g_signal_connect_after(handler, "handle-ioctl", G_CALLBACK(handle_ioctl), NULL);
    GError *err = NULL;
    // The handler first, so libusb can open the node as soon as the device appears.
    assert_true(umockdev_testbed_attach_ioctl(testbed, DEVNODE, handler, &err));
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/usb/keyboard.umockdev", C9_SOURCE_DIR);
    if (!umockdev_testbed_add_from_file(testbed, path, &err)) {
        print_error("umockdev: %s\n", err ? err->message : "?");
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    g_clear_object(&handler);
    g_clear_object(&testbed);
    while (fx.pending->len) {
        urb_free(g_ptr_array_remove_index(fx.pending, 0));
    }
    while (fx.completed->len) {
        urb_free(g_ptr_array_remove_index(fx.completed, 0));
    }
    g_ptr_array_free(fx.pending, TRUE);
    g_ptr_array_free(fx.completed, TRUE);
    return 0;
}

static void lock(void) {
    g_mutex_lock(&fx.lock);
}

static void unlock(void) {
    g_mutex_unlock(&fx.lock);
}

/* ---- tests ---- */

static void test_umockdev_file_matches_model(void **state) {
    (void)state;
    // The recorded device's descriptors are the model's: libusb reads them from sysfs.
    c9_host_usb_device_info_t list[8];
    size_t n;
    assert_int_equal(c9_host_libusb_list(list, 8, &n), C9_OK);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].vid, 0x1209);
    assert_int_equal(list[0].pid, 0x0001);
    assert_int_equal(list[0].bus, 1);
    assert_int_equal(list[0].address, 2);
    assert_int_equal(list[0].speed, C9_USB_SPEED_LOW);
    c9_host_libusb_t *ctl;
    assert_int_equal(c9_host_libusb_open(&ctl, 0x1209, 0x0002, 0), C9_ERR_NOENT);
    assert_int_equal(c9_host_libusb_open(&ctl, 0x1209, 0x0001, 1), C9_ERR_NOENT);
}

static c9_usbh_t host;

static c9_usbh_dev_t start(c9_host_libusb_t **ctl) {
    assert_int_equal(c9_host_libusb_open(ctl, 0x1209, 0x0001, 0), C9_OK);
    c9_usbh_config_t cfg = {.hcd = c9_host_libusb_hcd(), .hcd_ctx = *ctl, .rhport = 1};
    cfg.clock = (c9_clock_t){clock_now, NULL, NULL};
    assert_int_equal(c9_usbh_init(&host, &cfg), C9_OK);
    assert_int_equal(c9_usbh_wait_idle(&host, 5000), C9_OK);
    c9_usbh_dev_t d;
    assert_int_equal(c9_usbh_find(&host, 0x1209, 0x0001, 0, &d), C9_OK);
    return d;
}

static char key(const uint8_t *rep) {
    return rep[2] >= 0x04 && rep[2] <= 0x1D ? (char)('a' + rep[2] - 0x04) : '?';
}

static void test_libusb_host(void **state) {
    (void)state;
    c9_host_libusb_t *ctl;
    c9_usbh_dev_t d = start(&ctl);
    c9_usbh_device_info_t info;
    assert_int_equal(c9_usbh_device_info(&host, d, &info), C9_OK);
    assert_int_equal(info.speed, C9_USB_SPEED_LOW);
    assert_int_equal(info.config_value, 1);
    assert_int_equal(info.config_error, C9_OK);
    char s[64];
    size_t n;
    assert_int_equal(c9_usbh_get_string(&host, d, info.desc.iProduct, 0, s, sizeof s, &n, 1000), C9_OK);
    assert_string_equal(s, "Virtual Keyboard");
    assert_int_equal(c9_usbh_get_string(&host, d, info.desc.iManufacturer, 0, s, sizeof s, &n, 1000), C9_OK);
    assert_string_equal(s, "circuit9");
    // A class request through usbdevfs reaches the model.
    uint8_t leds = 0x05;
    assert_int_equal(c9_usbh_ctrl_transfer(&host, d, 0x21, C9_USB_HID_SET_REPORT, 0x0200, 0, &leds, 1, 1000, &n),
                     C9_OK);
    lock();
    assert_int_equal(c9_usbsim_keyboard_leds(&fx.kbd), 0x05);
    unlock();
    // A request the device refuses: a stall, "Pipe error".
    uint8_t b[64];
    assert_int_equal(c9_usbh_get_descriptor(&host, d, C9_USB_DESC_STRING, 9, 0x0409, b, 64, 1000, &n),
                     C9_ERR_USB_STALL);
    // Typed reports through interrupt URBs.
    lock();
    c9_usbsim_keyboard_type(&fx.kbd, "usb", 3);
    unlock();
    char typed[4] = {0};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 1000, &n), C9_OK);
        assert_int_equal(n, 8);
        typed[i] = key(b);
        assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 1000, &n), C9_OK);
        assert_int_equal(b[2], 0);
    }
    assert_string_equal(typed, "usb");
    // Nothing to read: a timeout (the URB is discarded), and nothing is lost after it.
    uint64_t t0 = mono_ms();
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 60, &n), C9_ERR_TIMEDOUT);
    assert_true(mono_ms() - t0 >= 60);
    lock();
    assert_true(fx.discards >= 1);
    c9_usbsim_keyboard_type(&fx.kbd, "q", 1);
    unlock();
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 1000, &n), C9_OK);
    assert_int_equal(key(b), 'q');
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 1000, &n), C9_OK);
    // The endpoint halts: a stall until CLEAR_HALT (libusb_clear_halt -> USBDEVFS_CLEAR_HALT).
    lock();
    c9_usb_setup_t halt = {0x02, C9_USB_REQ_SET_FEATURE, 0, 0x81, 0};
    size_t actual;
    assert_int_equal(c9_usbsim_dev_control(&fx.kbd.dev, &halt, NULL, &actual, 0), C9_OK);
    unlock();
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 1000, &n), C9_ERR_USB_STALL);
    assert_int_equal(c9_usbh_clear_halt(&host, d, 0x81, 1000), C9_OK);
    lock();
    c9_usbsim_keyboard_type(&fx.kbd, "k", 1);
    unlock();
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 1000, &n), C9_OK);
    assert_int_equal(key(b), 'k');
    lock();
    assert_true(fx.submits >= 18); // every transfer above went through usbdevfs
    assert_int_equal(fx.unknown, 0);
    unlock();
    c9_usbh_deinit(&host);
    c9_host_libusb_close(ctl);
}

static void test_libusb_unplug(void **state) {
    (void)state;
    c9_host_libusb_t *ctl;
    c9_usbh_dev_t d = start(&ctl);
    // Unplugged while a read waits: the read ends with NO_DEVICE and the device is unmounted.
    c9_usbh_xfer_t x = {0};
    uint8_t b[8];
    x.dev = d;
    x.ep = 0x81;
    x.buf = b;
    x.len = 8;
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 20, NULL), C9_ERR_TIMEDOUT); // opens the endpoint
    assert_int_equal(c9_usbh_submit(&host, &x), C9_OK);
    c9_usbh_task(&host);
    lock();
    fx.unplugged = true;
    unlock();
    umockdev_testbed_uevent(testbed, SYSPATH, "remove");
    uint64_t t0 = mono_ms();
    while (x.busy && mono_ms() - t0 < 2000) {
        c9_usbh_task(&host);
        usleep(1000);
    }
    assert_false(x.busy);
    assert_int_equal(x.result, C9_ERR_USB_NO_DEVICE);
    t0 = mono_ms();
    while (c9_usbh_devices(&host, NULL, 0) > 0 && mono_ms() - t0 < 2000) {
        c9_usbh_task(&host);
        usleep(1000);
    }
    assert_int_equal(c9_usbh_devices(&host, NULL, 0), 0);
    size_t n;
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 10, &n), C9_ERR_USB_NO_DEVICE);
    c9_usbh_deinit(&host);
    c9_host_libusb_close(ctl);
}

/* Unplugged while nothing is in flight: only libusb's hotplug (udev's remove event) tells. */
static void test_libusb_hotplug_removal(void **state) {
    (void)state;
    c9_host_libusb_t *ctl;
    c9_usbh_dev_t d = start(&ctl);
    lock();
    fx.unplugged = true;
    unlock();
    umockdev_testbed_uevent(testbed, SYSPATH, "remove");
    uint64_t t0 = mono_ms();
    while (c9_usbh_devices(&host, NULL, 0) > 0 && mono_ms() - t0 < 2000) {
        c9_usbh_task(&host);
        usleep(1000);
    }
    assert_int_equal(c9_usbh_devices(&host, NULL, 0), 0);
    uint8_t b[8];
    size_t n;
    assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 10, &n), C9_ERR_USB_NO_DEVICE);
    c9_usbh_deinit(&host);
    c9_host_libusb_close(ctl);
}

/* umockdev's own pcap replay answers libusb from our recording of the keyboard typing "hello\n"
 * (tests/fixtures/usb/keyboard-hello.pcap): the capture format as another implementation reads
 * it, and the back-end against a device that is not our model. umockdev matches URBs in
 * recorded order by bus and device number, so the copy given to it has every packet moved to
 * this device's 001/002 (the recording made at address 0 and then 1). */
static void test_umockdev_pcap_replay(void **state) {
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/usb/keyboard-hello.pcap", C9_SOURCE_DIR);
    size_t len;
    uint8_t *pcap = slurp(path, &len);
    assert_non_null(pcap);
    for (size_t off = 24; off + 16 + 64 <= len;) {
        uint32_t cap;
        memcpy(&cap, pcap + off + 8, 4);
        pcap[off + 16 + 11] = 2; // devnum
        off += 16 + cap;
    }
    char copy[] = "/tmp/c9-replay-XXXXXX";
    int fd = mkstemp(copy);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, pcap, len), (ssize_t)len);
    close(fd);
    free(pcap);
    GError *err = NULL;
    umockdev_testbed_detach_ioctl(testbed, DEVNODE, NULL);
    if (!umockdev_testbed_load_pcap(testbed, SYSPATH, copy, &err)) {
        print_error("umockdev pcap: %s\n", err ? err->message : "?");
        fail();
    }
    c9_host_libusb_t *ctl;
    c9_usbh_dev_t d = start(&ctl);
    // The requests the recording made, in its order.
    uint8_t leds = 1;
    assert_int_equal(c9_usbh_ctrl_transfer(&host, d, 0x21, C9_USB_HID_SET_IDLE, 0, 0, NULL, 0, 1000, NULL), C9_OK);
    assert_int_equal(c9_usbh_ctrl_transfer(&host, d, 0x21, C9_USB_HID_SET_REPORT, 0x200, 0, &leds, 1, 1000, NULL),
                     C9_OK);
    char s[64];
    size_t n;
    assert_int_equal(c9_usbh_get_string(&host, d, 2, 0, s, sizeof s, &n, 1000), C9_OK);
    assert_string_equal(s, "Virtual Keyboard");
    char typed[8] = {0};
    for (int i = 0; i < 6; i++) {
        uint8_t b[8];
        assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 2000, &n), C9_OK);
        typed[i] = b[2] == 0x28 ? '\n' : key(b);
        assert_int_equal(c9_usbh_read(&host, d, 0x81, b, 8, 2000, &n), C9_OK);
        assert_int_equal(b[2], 0);
    }
    assert_string_equal(typed, "hello\n");
    lock();
    assert_int_equal(fx.submits, 0); // umockdev answered, not our handler
    unlock();
    c9_usbh_deinit(&host);
    c9_host_libusb_close(ctl);
    unlink(copy);
}

int main(int argc, char **argv) {
    (void)argc;
    const char *preload = getenv("LD_PRELOAD");
    if (preload == NULL || strstr(preload, "libumockdev-preload") == NULL) {
        // umockdev works by LD_PRELOAD: run this binary again under its wrapper. ASan, when the
        // test is built with it, must accept a preloaded library ahead of its runtime.
        const char *asan = getenv("ASAN_OPTIONS");
        char opts[512];
        snprintf(opts, sizeof opts, "%s%sverify_asan_link_order=0", asan ? asan : "", asan && *asan ? ":" : "");
        setenv("ASAN_OPTIONS", opts, 1);
        char *args[] = {"umockdev-wrapper", argv[0], NULL};
        execvp(args[0], args);
        printf("umockdev-wrapper could not be run (%s): the libusb back-end tests are skipped\n", strerror(errno));
        return 0;
    }
    // The preload redirects /sys once a testbed exists; if it does not, umockdev cannot work here.
    UMockdevTestbed *probe = umockdev_testbed_new();
    bool works = umockdev_in_mock_environment();
    g_object_unref(probe);
    if (!works) {
        printf("umockdev's preload library does not redirect /sys here: the libusb back-end tests are skipped\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_umockdev_file_matches_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libusb_host, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libusb_unplug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_libusb_hotplug_removal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_umockdev_pcap_replay, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* !C9_HAVE_UMOCKDEV */

#include <stdio.h>

int main(void) {
    printf("umockdev's development files (libumockdev-dev) or libusb-1.0 were not found at build time: the "
           "libusb back-end tests are skipped\n");
    return 0;
}

#endif
