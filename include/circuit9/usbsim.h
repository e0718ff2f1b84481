/*
 * circuit9 virtual USB: a host controller that talks to device models instead of wires, the
 * device-side framework those models share, the models themselves (HID boot keyboard and mouse,
 * a game pad, a USB-MIDI device playing a Standard MIDI File, a CDC ACM serial device, a hub, a
 * device made of raw descriptor bytes, a replay of a usbmon recording), and fault injection.
 * Portable C with no OS: it runs the same in the desktop runtime, in unit tests and on a board
 * whose firmware wants to test USB host code without devices.
 *
 *     static c9_usbsim_t bus;  static c9_usbsim_keyboard_t kbd;  static c9_usbh_t host;
 *     c9_usbsim_init(&bus);
 *     c9_usbsim_keyboard_init(&kbd, NULL);
 *     c9_usbsim_keyboard_type(&kbd, "hello\n", 6);      // typed once the host configures it
 *     c9_usbsim_plug(&bus, &kbd.dev);                    // on the root port
 *     c9_usbh_config_t cfg = {.hcd = c9_usbsim_hcd(), .hcd_ctx = &bus, .clock = clock};
 *     c9_usbh_init(&host, &cfg);
 *
 * Time: models see the host clock's time, passed in the controller's service call; nothing
 * waits on a real clock, so a virtual clock gives the same run every time. Interrupt endpoints
 * are polled at their bInterval (ms; high speed 2^(bInterval-1) microframes), bulk and control
 * whenever the host services the controller.
 *
 * Packets. The controller moves data one packet (the endpoint's max packet size) at a time. A
 * model's `in` op offers a packet (it must not consume it yet) and `in_ack` consumes it once
 * the host accepted it; so a babble or a disconnect never loses data the host did not get.
 * Data toggles and CRCs are not modelled; faults stand in for their failures.
 *
 * Callbacks into models (the ops) run inside c9_usbh_task() -> the controller's service. Their
 * buffer arguments are valid only during the call. They may change their own model's state but
 * must not call c9_usbsim_plug/unplug or the host.
 */
#ifndef CIRCUIT9_USBSIM_H
#define CIRCUIT9_USBSIM_H

#include "circuit9/smf.h"
#include "circuit9/usb_hcd.h"
#include "circuit9/usbmon.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a model op answers instead of data (in/out/control). */
#define C9_USBSIM_NAK (-1)
#define C9_USBSIM_STALL (-2)

typedef struct c9_usbsim c9_usbsim_t;
typedef struct c9_usbsim_dev c9_usbsim_dev_t;
typedef struct c9_usbsim_hub c9_usbsim_hub_t;

typedef enum c9_usbsim_event {
    C9_USBSIM_EV_RESET = 1,      /* bus reset: back to the default state */
    C9_USBSIM_EV_CONFIGURED = 2, /* SET_CONFIGURATION accepted; arg = value (0: deconfigured) */
    C9_USBSIM_EV_INTERFACE = 3,  /* SET_INTERFACE accepted; arg = interface (alt in dev->alt[]) */
    C9_USBSIM_EV_CLEAR_HALT = 4, /* CLEAR_FEATURE(ENDPOINT_HALT); arg = endpoint address */
    C9_USBSIM_EV_UNPLUG = 5,     /* taken off the bus */
} c9_usbsim_event_t;

/* A descriptor a model answers GET_DESCRIPTOR with. Strings (type 3, index > 0) match any
 * language when no entry has the exact windex. Interface-recipient entries (HID class and report
 * descriptors) give the interface number in windex. */
typedef struct c9_usbsim_desc {
    uint8_t type, index;
    uint16_t windex;
    bool interface; /* answered to interface-recipient requests (bmRequestType 0x81) */
    const uint8_t *data;
    uint16_t len;
} c9_usbsim_desc_t;

typedef struct c9_usbsim_dev_ops {
    /* GET_DESCRIPTOR answers; NULL uses the dev->desc table. Returns the bytes (not copied; they
     * must stay valid until the next call) and *len, or NULL to stall. */
    const uint8_t *(*descriptor)(c9_usbsim_dev_t *dev, bool interface, uint8_t type, uint8_t index, uint16_t windex,
                                 uint16_t *len);
    /* Class and vendor requests, and standard ones the framework leaves alone. IN: write at most
     * *len bytes to data and set *len. OUT: data and *len are what the host sent. Return C9_OK or
     * C9_USBSIM_STALL. NULL: every such request stalls. */
    int (*control)(c9_usbsim_dev_t *dev, const c9_usb_setup_t *setup, uint8_t *data, uint16_t *len);
    /* One packet for an IN endpoint, at most `max` bytes (the endpoint size; more is babble):
     * the length, C9_USBSIM_NAK or C9_USBSIM_STALL. Offer only; see in_ack. */
    int (*in)(c9_usbsim_dev_t *dev, uint8_t ep, uint8_t *buf, uint16_t max);
    void (*in_ack)(c9_usbsim_dev_t *dev, uint8_t ep, uint16_t len);
    /* A packet for an OUT endpoint: C9_OK (taken), C9_USBSIM_NAK (not now), C9_USBSIM_STALL. */
    int (*out)(c9_usbsim_dev_t *dev, uint8_t ep, const uint8_t *data, uint16_t len);
    void (*event)(c9_usbsim_dev_t *dev, c9_usbsim_event_t ev, uint8_t arg);
} c9_usbsim_dev_ops_t;

/* The part every model starts with. Models fill ops, speed and desc/desc_count; the rest is the
 * framework's. */
struct c9_usbsim_dev {
    const c9_usbsim_dev_ops_t *ops;
    c9_usb_speed_t speed;
    const c9_usbsim_desc_t *desc;
    uint8_t desc_count;
    bool self_powered;
    /* framework state */
    uint8_t address, config;
    uint8_t alt[C9_USBSIM_MAX_INTERFACES];
    uint32_t halted; /* bit n: OUT endpoint n; bit 16 + n: IN endpoint n */
    uint64_t now_ms; /* the bus time of the current call */
    c9_usbsim_t *bus;
    c9_usbsim_hub_t *parent; /* NULL on the root port */
    uint8_t port;
    c9_usbsim_hub_t *as_hub; /* set by hub models */
    /* control transfer in progress */
    c9_usb_setup_t setup;
    uint8_t ctrl_state;
    bool ctrl_stall;
    const uint8_t *ctrl_data;
    uint16_t ctrl_len, ctrl_pos;
    uint8_t ctrl_buf[C9_USBSIM_EP0_BUF];
};

/* Runs one whole control transfer on a model (setup, data, status), as a bridge to another
 * controller needs (the umockdev test feeds usbdevfs URBs through it). For IN requests `data`
 * gets up to wLength bytes; for OUT it holds wLength bytes. *actual: bytes of the data stage.
 * C9_OK or C9_ERR_USB_STALL. */
c9_err_t c9_usbsim_dev_control(c9_usbsim_dev_t *dev, const c9_usb_setup_t *setup, uint8_t *data, size_t *actual,
                               uint64_t now_ms);
/* One IN/OUT packet through the framework (halt bits applied): returns like the ops. */
int c9_usbsim_dev_in(c9_usbsim_dev_t *dev, uint8_t ep, uint8_t *buf, uint16_t max, uint64_t now_ms);
void c9_usbsim_dev_in_ack(c9_usbsim_dev_t *dev, uint8_t ep, uint16_t len);
int c9_usbsim_dev_out(c9_usbsim_dev_t *dev, uint8_t ep, const uint8_t *data, uint16_t len, uint64_t now_ms);
/* Bus reset of a model (address 0, unconfigured, halts cleared). */
void c9_usbsim_dev_reset(c9_usbsim_dev_t *dev);

/* ---- fault injection ---------------------------------------------------------------------------- */

typedef enum c9_usbsim_fault_kind {
    C9_USBSIM_FAULT_STALL = 1,      /* the endpoint halts (control: this request stalls) */
    C9_USBSIM_FAULT_NAK = 2,        /* the device NAKs the transfer for good: the host times out */
    C9_USBSIM_FAULT_DISCONNECT = 3, /* after `after_bytes`, the device is unplugged */
    C9_USBSIM_FAULT_SHORT = 4,      /* the transfer ends with a short packet after `after_bytes` */
    C9_USBSIM_FAULT_XACT = 5,       /* a transaction error (no handshake, CRC) after `after_bytes` */
    C9_USBSIM_FAULT_BABBLE = 6,     /* the device sends more than the host asked for */
} c9_usbsim_fault_kind_t;

typedef struct c9_usbsim_fault {
    c9_usbsim_dev_t *dev; /* NULL: any device */
    uint8_t ep;           /* endpoint address (0 or 0x80: control); C9_USBSIM_ANY_EP for any */
    int16_t request;      /* control only: bRequest to match, -1 any */
    uint8_t kind;         /* c9_usbsim_fault_kind_t */
    uint16_t skip;        /* let this many matching transfers pass first */
    uint16_t count;       /* transfers to affect; 0: every one until cleared */
    uint32_t after_bytes; /* DISCONNECT, SHORT, XACT: bytes delivered first */
    uint16_t hits;        /* out: transfers affected so far */
} c9_usbsim_fault_t;
#define C9_USBSIM_ANY_EP 0xFF

/* Adds a fault (copied; `hits` readable through c9_usbsim_fault_hits). Returns its index, or
 * C9_ERR_NOMEM when C9_USBSIM_MAX_FAULTS are set, C9_ERR_INVAL. */
int c9_usbsim_fault_add(c9_usbsim_t *bus, const c9_usbsim_fault_t *fault);
uint16_t c9_usbsim_fault_hits(const c9_usbsim_t *bus, int index);
void c9_usbsim_fault_clear(c9_usbsim_t *bus);

/* ---- the virtual controller ---------------------------------------------------------------------- */

typedef struct c9_usbsim_pipe {
    uint8_t used, daddr, ep, type, interval;
    uint16_t mps;
    /* the transfer on it */
    uint8_t active, stage; /* control: 1 setup, 2 data, 3 status */
    int8_t fault;          /* index of the fault acting on this transfer, -1 none, -2 not chosen yet */
    uint8_t setup[8];
    uint8_t *buf;
    uint32_t len, done;
    uint64_t next_poll;
} c9_usbsim_pipe_t;

struct c9_usbsim {
    c9_usbh_t *host;
    uint8_t rhport;
    c9_usbsim_dev_t *root;
    bool root_enabled, root_resetting;
    uint64_t now_ms;
    c9_usbsim_pipe_t pipe[C9_USBSIM_MAX_PIPES];
    c9_usbsim_fault_t fault[C9_USBSIM_MAX_FAULTS];
    uint8_t fault_used[C9_USBSIM_MAX_FAULTS];
    uint32_t transfers; /* completed transfers and control stages, for tests */
};

void c9_usbsim_init(c9_usbsim_t *bus);
/* The controller ops; the context is the c9_usbsim_t. */
const c9_usb_hcd_ops_t *c9_usbsim_hcd(void);

/* Plugs a model into the root port (C9_ERR_BUSY if taken). The host sees it on its next task. */
c9_err_t c9_usbsim_plug(c9_usbsim_t *bus, c9_usbsim_dev_t *dev);
/* Takes a model off the bus, wherever it is (root or a hub port), with everything behind it.
 * Transfers in flight to it end with C9_ERR_USB_NO_DEVICE. C9_ERR_NOENT if not plugged. */
c9_err_t c9_usbsim_unplug(c9_usbsim_t *bus, c9_usbsim_dev_t *dev);

/* ---- models -------------------------------------------------------------------------------------- */

/* Identity and strings of a model; NULL config fields take the model's defaults. */
typedef struct c9_usbsim_ident {
    uint16_t vid, pid, bcd_device;               /* 0: the model's default */
    const char *manufacturer, *product, *serial; /* NULL: default; "" : no string */
    c9_usb_speed_t speed;                        /* 0: the model's default */
} c9_usbsim_ident_t;

/* Storage for a model's device descriptor and strings (built at init). */
typedef struct c9_usbsim_strings {
    uint8_t device[18];
    uint8_t langid[4];
    uint8_t str[3][64];
    c9_usbsim_desc_t desc[8];
} c9_usbsim_strings_t;

/* HID boot keyboard: 8-byte reports on 0x81 (interrupt, 10 ms), LED output report by
 * SET_REPORT, boot/report protocol, idle rate. Default low speed, "circuit9" / "Virtual
 * Keyboard", 1209:0001. */
typedef struct c9_usbsim_keyboard {
    c9_usbsim_dev_t dev;
    c9_usbsim_strings_t s;
    uint8_t config[34];
    uint8_t queue[C9_USBSIM_REPORT_QUEUE][8];
    uint8_t q_head, q_count;
    const char *text;
    size_t text_len, text_pos;
    bool text_release, typing;
    uint8_t report[8]; /* the current key state */
    uint8_t leds, protocol, idle;
    uint64_t last_report_ms;
} c9_usbsim_keyboard_t;

void c9_usbsim_keyboard_init(c9_usbsim_keyboard_t *k, const c9_usbsim_ident_t *ident);
/* Types `text` once the device is configured (at once if it already is): for each character a
 * press report and a release report (US layout; '\n' Enter, '\t' Tab, '\b' Backspace; other
 * characters outside printable ASCII are skipped), queued until the host reads them. The text
 * is not copied and must outlive the typing. C9_ERR_BUSY while an earlier text is being typed. */
c9_err_t c9_usbsim_keyboard_type(c9_usbsim_keyboard_t *k, const char *text, size_t len);
/* Queues one report (modifier bits, up to 6 key usages). C9_ERR_NOMEM when the queue is full. */
c9_err_t c9_usbsim_keyboard_report(c9_usbsim_keyboard_t *k, uint8_t modifiers, const uint8_t keys[6]);
/* True when all typed text and queued reports have been read by the host. */
bool c9_usbsim_keyboard_idle(const c9_usbsim_keyboard_t *k);
/* The LED bits the host last set (bit 0 Num Lock, 1 Caps Lock, 2 Scroll Lock). */
uint8_t c9_usbsim_keyboard_leds(const c9_usbsim_keyboard_t *k);
/* The usage and shift state for an ASCII character on a US keyboard: C9_OK or C9_ERR_NOENT. */
c9_err_t c9_usbsim_ascii_to_hid(char c, uint8_t *usage, bool *shift);

/* HID boot mouse: report protocol 4 bytes (buttons, x, y, wheel), boot protocol 3. */
typedef struct c9_usbsim_mouse {
    c9_usbsim_dev_t dev;
    c9_usbsim_strings_t s;
    uint8_t config[34];
    uint8_t queue[C9_USBSIM_REPORT_QUEUE][4];
    uint8_t q_head, q_count;
    uint8_t protocol, idle;
} c9_usbsim_mouse_t;
void c9_usbsim_mouse_init(c9_usbsim_mouse_t *m, const c9_usbsim_ident_t *ident);
c9_err_t c9_usbsim_mouse_move(c9_usbsim_mouse_t *m, uint8_t buttons, int8_t dx, int8_t dy, int8_t wheel);

/* HID game pad (not boot): 8-byte reports: buttons (16 bits), X, Y, Z, Rz (0..255, 128 centre),
 * hat (0..7, 8 = centred), padding. Generic Desktop / Game Pad usage, interrupt IN 0x81. */
typedef struct c9_usbsim_gamepad_state {
    uint16_t buttons;
    uint8_t x, y, z, rz, hat;
} c9_usbsim_gamepad_state_t;
typedef struct c9_usbsim_gamepad {
    c9_usbsim_dev_t dev;
    c9_usbsim_strings_t s;
    uint8_t config[34];
    uint8_t queue[C9_USBSIM_REPORT_QUEUE][8];
    uint8_t q_head, q_count;
    uint8_t current[8];
} c9_usbsim_gamepad_t;
void c9_usbsim_gamepad_init(c9_usbsim_gamepad_t *g, const c9_usbsim_ident_t *ident);
/* Queues a report when the state differs from the last one (C9_ERR_NOMEM when full). */
c9_err_t c9_usbsim_gamepad_set(c9_usbsim_gamepad_t *g, const c9_usbsim_gamepad_state_t *st);
/* The report bytes for a state (what the host reads). */
void c9_usbsim_gamepad_report(const c9_usbsim_gamepad_state_t *st, uint8_t out[8]);

/* USB-MIDI 1.0 device: audio control + MIDI streaming interfaces, one embedded/external jack
 * pair each way, bulk IN 0x81 and OUT 0x01 (64 bytes). With a Standard MIDI File it plays the
 * file's channel and sysex events as event packets from the moment it is configured, at the
 * file's tempo: an event is sent once its time has come, and waits in the device (queued) until
 * the host reads it. packets_per_transfer (1..16, default 1) packets go in one IN transfer when
 * several are due; Adafruit's USB_Host_MIDI reads one packet per transfer. Packets the host
 * writes are kept (the last C9_USBSIM_REPORT_QUEUE) for inspection. */
typedef struct c9_usbsim_midi {
    c9_usbsim_dev_t dev;
    c9_usbsim_strings_t s;
    uint8_t config[101];
    c9_smf_t smf;
    bool has_file, playing;
    uint64_t start_ms;
    c9_err_t error;    /* a file error met while playing (playing stops) */
    c9_smf_event_t ev; /* the event being packed */
    bool have_ev, file_done;
    size_t sysex_pos;
    uint8_t outbox[16][4]; /* due packets the host has not read yet */
    uint8_t out_count;
    uint8_t packets_per_transfer;
    uint32_t sent; /* packets the host accepted */
    uint8_t rx[C9_USBSIM_REPORT_QUEUE][4];
    uint32_t rx_count;
} c9_usbsim_midi_t;
/* Plays `smf` (not copied; may be NULL for a silent device). C9_OK, or the file's error
 * (c9_smf_open / c9_smf_validate: the whole file is checked up front). */
c9_err_t c9_usbsim_midi_init(c9_usbsim_midi_t *m, const c9_usbsim_ident_t *ident, const uint8_t *smf, size_t len);
/* True once every event of the file has been read by the host. */
bool c9_usbsim_midi_done(const c9_usbsim_midi_t *m);

/* CDC ACM serial device with `ports` functions (1..4, each an IAD, a communication interface
 * with header/call management/ACM/union descriptors and an interrupt endpoint, and a data
 * interface with bulk IN/OUT of 64 bytes). Port n uses endpoints 0x81+3n (notify), 0x02+3n /
 * 0x82+3n (data). With `two_configs` a second configuration has port 0 only. In loopback mode
 * what the host writes comes back; otherwise it is kept for c9_usbsim_cdc_read(). OUT NAKs when
 * a port's buffer is full. Line coding and control line state are kept per port. */
#define C9_USBSIM_CDC_MAX_PORTS 4
typedef struct c9_usbsim_cdc_port {
    uint8_t tx[C9_USBSIM_CDC_BUF]; /* device -> host */
    uint16_t tx_head, tx_count;
    uint8_t rx[C9_USBSIM_CDC_BUF]; /* host -> device */
    uint16_t rx_head, rx_count;
    uint8_t line_coding[7];
    uint8_t line_state; /* bit 0 DTR, bit 1 RTS */
} c9_usbsim_cdc_port_t;
typedef struct c9_usbsim_cdc {
    c9_usbsim_dev_t dev;
    c9_usbsim_strings_t s;
    uint8_t ports;
    bool loopback;
    uint8_t config[9 + 66 * C9_USBSIM_CDC_MAX_PORTS];
    uint8_t config2[9 + 66];
    c9_usbsim_cdc_port_t port[C9_USBSIM_CDC_MAX_PORTS];
} c9_usbsim_cdc_t;
c9_err_t c9_usbsim_cdc_init(c9_usbsim_cdc_t *c, const c9_usbsim_ident_t *ident, uint8_t ports, bool two_configs,
                            bool loopback);
/* Device -> host bytes; returns how many fitted. */
size_t c9_usbsim_cdc_write(c9_usbsim_cdc_t *c, uint8_t port, const uint8_t *data, size_t len);
/* Host -> device bytes received (not in loopback mode). */
size_t c9_usbsim_cdc_read(c9_usbsim_cdc_t *c, uint8_t port, uint8_t *out, size_t max);

/* USB 2.0 hub (full speed, individual port power) with up to C9_USBSIM_HUB_MAX_PORTS ports. A
 * port reset takes 10 ms of bus time; the status-change endpoint 0x81 reports changes. */
typedef struct c9_usbsim_hub_port {
    c9_usbsim_dev_t *dev;
    uint16_t status, change;
    uint64_t reset_until;
} c9_usbsim_hub_port_t;
struct c9_usbsim_hub {
    c9_usbsim_dev_t dev;
    c9_usbsim_strings_t s;
    uint8_t nports;
    uint8_t config[25];
    uint8_t hub_desc[9];
    c9_usbsim_hub_port_t port[C9_USBSIM_HUB_MAX_PORTS + 1];
};
c9_err_t c9_usbsim_hub_init(c9_usbsim_hub_t *h, const c9_usbsim_ident_t *ident, uint8_t nports);
/* Plugs a model into a hub port (1-based); the hub reports the connection when powered.
 * C9_ERR_BUSY (port taken), C9_ERR_INVAL. Unplug with c9_usbsim_unplug. */
c9_err_t c9_usbsim_hub_plug(c9_usbsim_hub_t *h, uint8_t port, c9_usbsim_dev_t *dev);

/* A device made of descriptor bytes (a descriptor set): answers GET_DESCRIPTOR from them,
 * accepts SET_CONFIGURATION with any value its configurations name, NAKs its IN endpoints and
 * swallows OUT data. The set is a list of records, each [type][index][wIndex lo][wIndex hi]
 * [len lo][len hi] followed by len bytes; types 0x21/0x22 are answered to interface-recipient
 * requests. The bytes are not copied. Speed as given (0: full). */
typedef struct c9_usbsim_raw {
    c9_usbsim_dev_t dev;
    c9_usbsim_desc_t entries[C9_USBSIM_RAW_MAX_DESC];
} c9_usbsim_raw_t;
/* C9_OK, C9_ERR_USB_DESC_TRUNCATED (a record past the end), C9_ERR_USB_DESC_LIMIT (too many
 * records), C9_ERR_NOENT (no device descriptor record), C9_ERR_INVAL. */
c9_err_t c9_usbsim_raw_init(c9_usbsim_raw_t *r, const uint8_t *set, size_t len, c9_usb_speed_t speed);

/* A replay of a usbmon recording (usbmon.h): the device `devnum` on bus `busnum` of the
 * capture (0, 0: the first device that answered a GET_DESCRIPTOR for its device descriptor).
 * GET_DESCRIPTOR is answered with the longest recorded answer to the same request, cut to
 * wLength (a host may ask for other lengths than the recorded one did); other control requests
 * are matched in recorded order against identical SETUP packets and answered with the recorded
 * data and status; SET_ADDRESS, SET_CONFIGURATION and SET_INTERFACE are the framework's. Each IN
 * endpoint gives its recorded completions in order (a recorded stall stalls), then NAKs. OUT
 * data is compared with the recording (mismatches are counted). The file bytes are not copied. */
typedef struct c9_usbsim_replay {
    c9_usbsim_dev_t dev;
    const uint8_t *file;
    size_t file_len;
    uint16_t busnum;
    uint8_t devnum;
    c9_usbmon_reader_t start;  /* positioned at the first packet */
    c9_usbmon_reader_t ctrl;   /* after the last matched class/vendor request */
    c9_usbmon_reader_t in[16]; /* per IN endpoint number: at its next recorded completion */
    uint32_t in_offset[16];    /* bytes of that completion already sent */
    c9_usbmon_reader_t out[16];
    uint32_t out_offset[16];
    uint32_t mismatches, unmatched_requests;
    uint8_t ctrl_data[C9_USBSIM_EP0_BUF]; /* not used for descriptors, which point into the file */
} c9_usbsim_replay_t;
/* C9_OK, the reader's errors, C9_ERR_NOENT (no device descriptor for that device in the file). */
c9_err_t c9_usbsim_replay_init(c9_usbsim_replay_t *r, const uint8_t *file, size_t len, uint16_t busnum, uint8_t devnum,
                               c9_usb_speed_t speed);
/* True when every recorded IN completion of every endpoint has been delivered. */
bool c9_usbsim_replay_done(const c9_usbsim_replay_t *r);

#ifdef __cplusplus
}
#endif

#endif /* CIRCUIT9_USBSIM_H */
