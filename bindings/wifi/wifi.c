/*
 * wifi: the board's radio (wifi.radio) as CircuitPython 9.2.9's espressif port has it, over the
 * port's network interface (port.h). Names, argument checks and messages are CircuitPython's.
 * What the station reports (address, gateway, DNS, the access point) is the machine's; on the
 * virtual board that is the host's network behind one simulated access point (docs/net.md).
 * Access point mode, static addresses and packet monitoring need a radio of their own: they
 * raise NotImplementedError after CircuitPython's argument checks.
 */
#include "circuit9/net.h"
#include "circuit9/port.h"
#include "ipaddress/ipaddress.h"
#include "socketpool/socketpool.h"
#include "wifi/wifi.h"

#include "c9rt.h"

#include <string.h>

#define MAX_SCAN 16

static PyTypeObject *authmode_type, *packet_type;
static const char *const authmode_names[] = {"OPEN", "WEP", "WPA", "WPA2", "WPA3", "PSK", "ENTERPRISE", NULL};
static const char *const packet_names[] = {"CH", "LEN", "RAW", "RSSI", NULL};
static PyObject *station_type; /* wifi.Station, a named tuple */

/* ---- Network ---------------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD c9_port_wifi_ap_t ap;
} network_obj_t;

static PyTypeObject Network_Type;

static PyObject *network_new(const c9_port_wifi_ap_t *ap) {
    network_obj_t *n = PyObject_New(network_obj_t, &Network_Type);
    if (n) {
        n->ap = *ap;
    }
    return (PyObject *)n;
}

#define AP (&((network_obj_t *)self)->ap)

static PyObject *net_ssid(PyObject *self, void *c) {
    (void)c;
    size_t n = strnlen((const char *)AP->ssid, AP->ssid_len);
    return PyUnicode_DecodeUTF8((const char *)AP->ssid, (Py_ssize_t)n, "replace");
}

static PyObject *net_bssid(PyObject *self, void *c) {
    (void)c;
    return PyBytes_FromStringAndSize((const char *)AP->bssid, 6);
}

static PyObject *net_rssi(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(AP->rssi);
}

static PyObject *net_channel(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(AP->channel);
}

static PyObject *net_country(PyObject *self, void *c) {
    (void)c;
    return PyUnicode_FromStringAndSize(AP->country, (Py_ssize_t)strnlen(AP->country, 2));
}

static PyObject *authmode_member(int bit) {
    return PyObject_GetAttrString((PyObject *)authmode_type, authmode_names[bit]);
}

static PyObject *net_authmode(PyObject *self, void *c) {
    (void)c;
    PyObject *list = PyList_New(0);
    for (int i = 0; list && authmode_names[i]; i++) {
        if (AP->authmodes & (1u << i)) {
            PyObject *m = authmode_member(i);
            if (!m || PyList_Append(list, m) < 0) {
                Py_XDECREF(m);
                Py_CLEAR(list);
                break;
            }
            Py_DECREF(m);
        }
    }
    return list;
}

static PyGetSetDef network_getset[] = {
    {"ssid", net_ssid, NULL, "String id of the network", NULL},
    {"bssid", net_bssid, NULL, "BSSID of the network (usually the AP's MAC address)", NULL},
    {"rssi", net_rssi, NULL, "Signal strength of the network", NULL},
    {"channel", net_channel, NULL, "Channel number the network is operating on", NULL},
    {"country", net_country, NULL, "String id of the country code", NULL},
    {"authmode", net_authmode, NULL, "List of authmodes (wifi.AuthMode) used by the network", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Network_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wifi.Network",
    .tp_basicsize = sizeof(network_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A wifi network provided by a nearby access point.",
    .tp_getset = network_getset,
};

/* ---- ScannedNetworks ------------------------------------------------------------------------- */

typedef struct {
    PyObject_HEAD c9_port_wifi_ap_t aps[MAX_SCAN];
    size_t count, next;
} scan_obj_t;

static PyObject *scan_iternext(PyObject *self) {
    scan_obj_t *s = (scan_obj_t *)self;
    if (s->next >= s->count) {
        return NULL; /* StopIteration */
    }
    return network_new(&s->aps[s->next++]);
}

static PyTypeObject ScannedNetworks_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wifi.ScannedNetworks",
    .tp_basicsize = sizeof(scan_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Iterates over the wifi.Network objects found while scanning.",
    .tp_iter = PyObject_SelfIter,
    .tp_iternext = scan_iternext,
};

/* ---- Radio ------------------------------------------------------------------------------------ */

typedef struct {
    PyObject_HEAD PyObject *scan; /* the scan started and not yet stopped */
    char hostname[254];
    bool mac_set;
    uint8_t mac[6];
    double tx_power;
    long listen_interval;
    bool station; /* station mode (start_station / stop_station) */
} radio_obj_t;

static PyTypeObject Radio_Type;
static radio_obj_t *the_radio;

#define RADIO ((radio_obj_t *)self)

bool c9py_wifi_is_radio(PyObject *obj) {
    return obj && obj == (PyObject *)the_radio;
}

static PyObject *fail(c9_err_t err) {
    return c9py_sock_raise(err, NULL, NULL);
}

static int mac_of(radio_obj_t *r, uint8_t mac[6]) {
    if (r->mac_set) {
        memcpy(mac, r->mac, 6);
        return 0;
    }
    c9_err_t err = c9_port_wifi_mac(mac);
    if (err != C9_OK) {
        fail(err);
        return -1;
    }
    return 0;
}

static void default_hostname(radio_obj_t *r) {
    /* CircuitPython's: "cpy-" + the end of the board id (the start is often the maker) + the
     * station's MAC address, at most 32 characters. */
    uint8_t mac[6] = {0};
    (void)c9_port_wifi_mac(mac);
    const c9_board_t *b = c9_port_board();
    const char *id = b && b->board_id ? b->board_id : "circuit9";
    size_t len = strlen(id), keep = C9_MIN((size_t)(32 - 12 - 6), len), trim = len - keep;
    if (id[trim] == '_') {
        trim++;
    }
    snprintf(r->hostname, sizeof r->hostname, "cpy-%s-%02x%02x%02x%02x%02x%02x", id + trim, mac[0], mac[1], mac[2],
             mac[3], mac[4], mac[5]);
}

static PyObject *get_enabled(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyBool_FromLong(c9_port_wifi_enabled());
}

static void stop_scan(radio_obj_t *r) {
    Py_CLEAR(r->scan);
}

static int set_enabled(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int on = c9py_setter_bool(v);
    if (on < 0) {
        return -1;
    }
    if (!on) {
        stop_scan(RADIO);
    }
    c9_err_t err = c9_port_wifi_enable(on);
    if (err != C9_OK) {
        fail(err);
        return -1;
    }
    return 0;
}

static PyObject *get_hostname(PyObject *self, void *c) {
    (void)c;
    return PyUnicode_FromString(RADIO->hostname);
}

static bool hostname_valid(const char *p, size_t len) {
    int part = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = p[i];
        if (ch == '.') {
            if (part == 0 || part > 63) {
                return false;
            }
            part = 0;
            continue;
        }
        part++;
        if (ch == '-') {
            if (part == 1) {
                return false; /* a label cannot begin with a dash */
            }
        } else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) {
            return false;
        }
    }
    return part <= 63;
}

/* mp_get_buffer_raise on a str or a buffer: its bytes (pinned in *keep). */
static int text_or_buffer(PyObject *v, Py_buffer *view) {
    if (PyUnicode_Check(v)) {
        Py_ssize_t n;
        const char *s = PyUnicode_AsUTF8AndSize(v, &n);
        return s ? PyBuffer_FillInfo(view, v, (void *)s, n, 1, PyBUF_SIMPLE) : -1;
    }
    return c9py_get_buffer(v, view, PyBUF_SIMPLE);
}

static int check_length(size_t len, size_t min, size_t max, const char *name) {
    if (len < min || len > max) {
        PyErr_Format(PyExc_ValueError, "%s length must be %zu-%zu", name, min, max);
        return -1;
    }
    return 0;
}

static int set_hostname(PyObject *self, PyObject *v, void *c) {
    (void)c;
    Py_buffer b;
    if (c9py_setter_present(v) < 0 || text_or_buffer(v, &b) < 0) {
        return -1;
    }
    int rc = check_length((size_t)b.len, 1, 253, "hostname");
    if (rc == 0 && !hostname_valid(b.buf, (size_t)b.len)) {
        PyErr_SetString(PyExc_ValueError, "invalid hostname");
        rc = -1;
    }
    if (rc == 0) {
        memcpy(RADIO->hostname, b.buf, (size_t)b.len);
        RADIO->hostname[b.len] = 0;
    }
    PyBuffer_Release(&b);
    return rc;
}

static PyObject *get_mac(PyObject *self, void *c) {
    (void)c;
    uint8_t mac[6];
    return mac_of(RADIO, mac) < 0 ? NULL : PyBytes_FromStringAndSize((const char *)mac, 6);
}

static int mac_arg(PyObject *v, uint8_t mac[6]) {
    Py_buffer b;
    if (c9py_setter_present(v) < 0 || c9py_get_buffer(v, &b, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    int rc = 0;
    if (b.len != 6) {
        PyErr_SetString(PyExc_ValueError, "Invalid MAC address");
        rc = -1;
    } else {
        memcpy(mac, b.buf, 6);
    }
    PyBuffer_Release(&b);
    return rc;
}

static int set_mac(PyObject *self, PyObject *v, void *c) {
    (void)c;
    uint8_t mac[6];
    if (mac_arg(v, mac) < 0) {
        return -1;
    }
    if (!RADIO->station) {
        PyErr_SetString(PyExc_RuntimeError, "Interface must be started");
        return -1;
    }
    if (mac[0] & 1) {
        PyErr_SetString(PyExc_RuntimeError, "Invalid multicast MAC address");
        return -1;
    }
    memcpy(RADIO->mac, mac, 6);
    RADIO->mac_set = true;
    return 0;
}

static PyObject *get_mac_ap(PyObject *self, void *c) {
    (void)self;
    (void)c;
    uint8_t mac[6];
    if (c9_port_wifi_mac(mac) != C9_OK) {
        return fail(C9_ERR_NOSYS);
    }
    mac[5]++; /* Espressif's soft-AP address is the station's plus one */
    return PyBytes_FromStringAndSize((const char *)mac, 6);
}

static int set_mac_ap(PyObject *self, PyObject *v, void *c) {
    (void)self;
    (void)c;
    uint8_t mac[6];
    if (mac_arg(v, mac) < 0) {
        return -1;
    }
    PyErr_SetString(PyExc_RuntimeError, "Interface must be started"); /* no access point runs */
    return -1;
}

static PyObject *get_tx_power(PyObject *self, void *c) {
    (void)c;
    return PyFloat_FromDouble(RADIO->tx_power);
}

static int set_tx_power(PyObject *self, PyObject *v, void *c) {
    (void)c;
    double p;
    if (c9py_setter_present(v) < 0 || c9py_mp_float(v, &p) < 0) {
        return -1;
    }
    /* ESP-IDF keeps the power in quarter dBm between 2 and 21 dBm. */
    long q = (long)(p * 4.0);
    RADIO->tx_power = (double)C9_MAX(8L, C9_MIN(84L, q)) / 4.0;
    return 0;
}

static PyObject *get_listen_interval(PyObject *self, void *c) {
    (void)c;
    return PyLong_FromLong(RADIO->listen_interval);
}

static int set_listen_interval(PyObject *self, PyObject *v, void *c) {
    (void)c;
    int32_t i;
    if (c9py_setter_present(v) < 0 || c9py_mp_int(v, &i) < 0) {
        return -1;
    }
    RADIO->listen_interval = i;
    return 0;
}

static PyObject *start_scanning_networks(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_start_channel, ARG_stop_channel };
    static const c9py_arg_t allowed[] = {
        {"start_channel", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
        {"stop_channel", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 11}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0 ||
        c9py_check_range(a[ARG_start_channel].u_int, 1, 14, "start_channel") < 0 ||
        c9py_check_range(a[ARG_stop_channel].u_int, 1, 14, "stop_channel") < 0) {
        return NULL;
    }
    uint8_t first = (uint8_t)a[ARG_start_channel].u_int, last = (uint8_t)a[ARG_stop_channel].u_int;
    if (first > last) { /* swapped, without complaining */
        uint8_t t = first;
        first = last;
        last = t;
    }
    if (RADIO->scan) {
        PyErr_SetString(PyExc_RuntimeError, "Already scanning for wifi networks");
        return NULL;
    }
    if (!c9_port_wifi_enabled()) {
        PyErr_SetString(PyExc_RuntimeError, "wifi is not enabled");
        return NULL;
    }
    scan_obj_t *s = PyObject_New(scan_obj_t, &ScannedNetworks_Type);
    if (!s) {
        return NULL;
    }
    s->next = 0;
    c9_err_t err = c9_port_wifi_scan(first, last, s->aps, MAX_SCAN, &s->count);
    if (err != C9_OK) {
        Py_DECREF(s);
        return fail(err);
    }
    RADIO->station = true;
    RADIO->scan = Py_NewRef((PyObject *)s);
    return (PyObject *)s;
}

static PyObject *stop_scanning_networks(PyObject *self, PyObject *u) {
    (void)u;
    stop_scan(RADIO);
    Py_RETURN_NONE;
}

static PyObject *start_station(PyObject *self, PyObject *u) {
    (void)u;
    RADIO->station = true;
    Py_RETURN_NONE;
}

static PyObject *stop_station(PyObject *self, PyObject *u) {
    (void)u;
    RADIO->station = false;
    c9_err_t err = c9_port_wifi_disconnect();
    return err != C9_OK ? fail(err) : Py_NewRef(Py_None);
}

static int hex_password(const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        uint8_t ch = p[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) {
            PyErr_SetString(PyExc_ValueError, "Invalid hex password");
            return -1;
        }
    }
    return 0;
}

static PyObject *start_ap(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    enum { ARG_ssid, ARG_password, ARG_channel, ARG_authmode, ARG_max_connections };
    static const c9py_arg_t allowed[] = {
        {"ssid", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"password", C9PY_ARG_OBJ},
        {"channel", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 1}},
        {"authmode", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
        {"max_connections", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 4}},
    };
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0) {
        return NULL;
    }
    unsigned modes = 0;
    if (a[ARG_authmode].u_obj) {
        PyObject *it = PyObject_GetIter(a[ARG_authmode].u_obj), *item;
        if (!it) {
            return NULL;
        }
        while ((item = PyIter_Next(it))) {
            int v = c9py_enum_value(item, authmode_type, "authmode", "AuthMode");
            Py_DECREF(item);
            if (v < 0) {
                Py_DECREF(it);
                return NULL;
            }
            modes |= 1u << v;
        }
        Py_DECREF(it);
        if (PyErr_Occurred()) {
            return NULL;
        }
    }
    Py_buffer ssid, pw = {0};
    if (text_or_buffer(a[ARG_ssid].u_obj, &ssid) < 0) {
        return NULL;
    }
    int rc = check_length((size_t)ssid.len, 1, 32, "ssid");
    PyBuffer_Release(&ssid);
    if (rc < 0) {
        return NULL;
    }
    size_t pw_len = 0;
    if (a[ARG_password].u_obj) {
        if (text_or_buffer(a[ARG_password].u_obj, &pw) < 0) {
            return NULL;
        }
        pw_len = (size_t)pw.len;
    }
    if (modes == 0) {
        modes =
            pw_len ? (C9_PORT_WIFI_AUTH_WPA | C9_PORT_WIFI_AUTH_WPA2 | C9_PORT_WIFI_AUTH_PSK) : C9_PORT_WIFI_AUTH_OPEN;
    }
    rc = c9py_check_range(a[ARG_channel].u_int, 1, 13, "channel");
    if (rc == 0 && modes == C9_PORT_WIFI_AUTH_OPEN && pw_len > 0) {
        PyErr_SetString(PyExc_ValueError, "AuthMode.OPEN is not used with password");
        rc = -1;
    }
    if (rc == 0 && modes != C9_PORT_WIFI_AUTH_OPEN) {
        rc = check_length(pw_len, 8, 64, "password");
        if (rc == 0 && pw_len == 64) {
            rc = hex_password(pw.buf, pw_len);
        }
    }
    if (a[ARG_password].u_obj) {
        PyBuffer_Release(&pw);
    }
    if (rc < 0) {
        return NULL;
    }
    PyErr_SetString(PyExc_NotImplementedError, "access point mode is not available on this board");
    return NULL;
}

static PyObject *stop_ap(PyObject *self, PyObject *u) {
    (void)self;
    (void)u;
    Py_RETURN_NONE; /* no access point runs */
}

static PyObject *get_false(PyObject *self, void *c) {
    (void)self;
    (void)c;
    Py_RETURN_FALSE;
}

static PyObject *get_none(PyObject *self, void *c) {
    (void)self;
    (void)c;
    Py_RETURN_NONE;
}

static PyObject *get_empty(PyObject *self, void *c) {
    (void)self;
    (void)c;
    return PyTuple_New(0);
}

static PyObject *connect(PyObject *self, PyObject *args, PyObject *kw) {
    enum { ARG_ssid, ARG_password, ARG_channel, ARG_bssid, ARG_timeout };
    static const c9py_arg_t allowed[] = {
        {"ssid", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"password", C9PY_ARG_OBJ},
        {"channel", C9PY_ARG_INT | C9PY_ARG_KW_ONLY, {.u_int = 0}},
        {"bssid", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
        {"timeout", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[5];
    if (c9py_arg_parse(args, kw, allowed, 5, a) < 0) {
        return NULL;
    }
    double timeout = 0;
    if (a[ARG_timeout].u_obj != Py_None && c9py_mp_float(a[ARG_timeout].u_obj, &timeout) < 0) {
        return NULL;
    }
    Py_buffer ssid, pw = {0}, bssid = {0};
    if (text_or_buffer(a[ARG_ssid].u_obj, &ssid) < 0) {
        return NULL;
    }
    PyObject *result = NULL;
    bool have_pw = false, have_bssid = false;
    if (check_length((size_t)ssid.len, 1, 32, "ssid") < 0) {
        goto out;
    }
    if (a[ARG_password].u_obj && a[ARG_password].u_obj != Py_None) {
        if (text_or_buffer(a[ARG_password].u_obj, &pw) < 0) {
            goto out;
        }
        have_pw = true;
        if (pw.len != 0 &&
            (check_length((size_t)pw.len, 8, 64, "password") < 0 || (pw.len == 64 && hex_password(pw.buf, 64) < 0))) {
            goto out;
        }
    }
    if (a[ARG_bssid].u_obj != Py_None) {
        if (text_or_buffer(a[ARG_bssid].u_obj, &bssid) < 0) {
            goto out;
        }
        have_bssid = true;
        if (bssid.len != 6) {
            PyErr_SetString(PyExc_ValueError, "Invalid BSSID");
            goto out;
        }
    }
    if (!c9_port_wifi_enabled()) {
        PyErr_SetString(PyExc_RuntimeError, "wifi is not enabled");
        goto out;
    }
    RADIO->station = true;
    c9_err_t err =
        c9_port_wifi_connect(ssid.buf, (size_t)ssid.len, have_pw ? pw.buf : NULL, have_pw ? (size_t)pw.len : 0,
                             (uint8_t)a[ARG_channel].u_int, have_bssid ? bssid.buf : NULL, (uint32_t)(timeout * 1000));
    if (err == C9_ERR_WIFI_NO_AP || err == C9_ERR_WIFI_AUTH || err == C9_ERR_WIFI_DISABLED || err == C9_ERR_INTR) {
        fail(err);
    } else if (err != C9_OK) {
        PyErr_Format(PyExc_ConnectionError, "Unknown failure %d", (int)-err);
    } else {
        result = Py_NewRef(Py_None);
    }
out:
    PyBuffer_Release(&ssid);
    if (have_pw) {
        PyBuffer_Release(&pw);
    }
    if (have_bssid) {
        PyBuffer_Release(&bssid);
    }
    return result;
}

/* The station's state: 1 connected (ap/ip filled in), 0 not, -1 error. */
static int station(radio_obj_t *r, c9_port_wifi_ap_t *ap, c9_port_wifi_ipv4_t *ip) {
    if (!r->station) {
        return 0;
    }
    c9_err_t err = c9_port_wifi_station(ap, ip);
    if (err == C9_ERR_NOTCONN || err == C9_ERR_NOSYS) {
        return 0;
    }
    if (err != C9_OK) {
        fail(err);
        return -1;
    }
    return 1;
}

static PyObject *get_connected(PyObject *self, void *c) {
    (void)c;
    int s = station(RADIO, NULL, NULL);
    return s < 0 ? NULL : PyBool_FromLong(s);
}

enum { IP_ADDRESS, IP_NETMASK, IP_GATEWAY, IP_DNS };

static PyObject *ipv4_field(PyObject *self, void *which) {
    c9_port_wifi_ipv4_t ip;
    int s = station(RADIO, NULL, &ip);
    if (s <= 0) {
        return s < 0 ? NULL : Py_NewRef(Py_None);
    }
    const uint8_t *f[] = {ip.address, ip.netmask, ip.gateway, ip.dns};
    if ((intptr_t)which == IP_DNS && memcmp(ip.dns, "\xff\xff\xff\xff", 4) == 0) {
        Py_RETURN_NONE; /* cleared with dns = () */
    }
    return c9py_ipv4_new(f[(intptr_t)which]);
}

static int set_ipv4_dns(PyObject *self, PyObject *v, void *c) {
    (void)self;
    (void)c;
    uint8_t a[4];
    if (c9py_setter_present(v) < 0) {
        return -1;
    }
    int r = c9py_ipv4_get(v, a);
    if (r <= 0) {
        if (r == 0) {
            PyErr_SetString(PyExc_ValueError, "Only IPv4 addresses supported");
        }
        return -1;
    }
    c9_err_t err = c9_port_wifi_set_dns(a);
    if (err != C9_OK && err != C9_ERR_NOTCONN) { /* a down interface takes it and DHCP replaces it */
        fail(err);
        return -1;
    }
    return 0;
}

static PyObject *get_dns(PyObject *self, void *c) {
    (void)c;
    c9_port_wifi_ipv4_t ip;
    int s = station(RADIO, NULL, &ip);
    if (s <= 0) {
        return s < 0 ? NULL : PyTuple_New(0);
    }
    if (memcmp(ip.dns, "\xff\xff\xff\xff", 4) == 0) {
        return PyTuple_New(0);
    }
    return Py_BuildValue("(N)", PyUnicode_FromFormat("%d.%d.%d.%d", ip.dns[0], ip.dns[1], ip.dns[2], ip.dns[3]));
}

static int set_dns(PyObject *self, PyObject *v, void *c) {
    (void)self;
    (void)c;
    if (c9py_setter_present(v) < 0) {
        return -1;
    }
    Py_ssize_t n = PyObject_Length(v);
    if (n < 0) {
        return -1;
    }
    if (n > 1) {
        PyErr_SetString(PyExc_ValueError, "dns length must be <= 1");
        return -1;
    }
    uint8_t a[4] = {255, 255, 255, 255}; /* none */
    if (n == 1) {
        PyObject *item = PySequence_GetItem(v, 0);
        if (!item) {
            return -1;
        }
        if (!PyUnicode_Check(item)) {
            PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly", c9py_type_name(item));
            Py_DECREF(item);
            return -1;
        }
        Py_ssize_t len;
        const char *s = PyUnicode_AsUTF8AndSize(item, &len);
        c9_err_t perr = s ? c9_net_ipv4_parse(s, (size_t)len, a) : C9_ERR_INVAL;
        Py_DECREF(item);
        if (!s) {
            return -1;
        }
        if (perr != C9_OK) {
            fail(C9_ERR_NET_NONAME);
            return -1;
        }
    }
    c9_err_t err = c9_port_wifi_set_dns(a);
    if (err != C9_OK && err != C9_ERR_NOTCONN) {
        fail(err);
        return -1;
    }
    return 0;
}

static PyObject *get_addresses(PyObject *self, void *c) {
    (void)c;
    c9_port_wifi_ipv4_t ip;
    int s = station(RADIO, NULL, &ip);
    if (s <= 0) {
        return s < 0 ? NULL : PyTuple_New(0);
    }
    return Py_BuildValue(
        "(N)", PyUnicode_FromFormat("%d.%d.%d.%d", ip.address[0], ip.address[1], ip.address[2], ip.address[3]));
}

static PyObject *get_ap_info(PyObject *self, void *c) {
    (void)c;
    c9_port_wifi_ap_t ap;
    int s = station(RADIO, &ap, NULL);
    if (s <= 0) {
        return s < 0 ? NULL : Py_NewRef(Py_None);
    }
    return network_new(&ap);
}

static PyObject *set_ipv4_address(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"ipv4", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"netmask", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"gateway", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"ipv4_dns", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t a[4];
    if (c9py_arg_parse(args, kw, allowed, 4, a) < 0) {
        return NULL;
    }
    for (int i = 0; i < 4; i++) {
        uint8_t ip[4];
        int r = a[i].u_obj ? c9py_ipv4_get(a[i].u_obj, ip) : 1;
        if (r <= 0) {
            if (r == 0) {
                PyErr_SetString(PyExc_ValueError, "Only IPv4 addresses supported");
            }
            return NULL;
        }
    }
    PyErr_SetString(PyExc_NotImplementedError, "static addresses are not available on this board");
    return NULL;
}

static PyObject *set_ipv4_address_ap(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"ipv4", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"netmask", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
        {"gateway", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED | C9PY_ARG_KW_ONLY},
    };
    c9py_argval_t a[3];
    if (c9py_arg_parse(args, kw, allowed, 3, a) < 0) {
        return NULL;
    }
    PyErr_SetString(PyExc_NotImplementedError, "access point mode is not available on this board");
    return NULL;
}

static PyObject *start_dhcp(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    static const c9py_arg_t allowed[] = {
        {"ipv4", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = true}},
        {"ipv6", C9PY_ARG_BOOL | C9PY_ARG_KW_ONLY, {.u_bool = false}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    if (!a[0].u_bool) {
        PyErr_SetString(PyExc_NotImplementedError, "static addresses are not available on this board");
        return NULL;
    }
    Py_RETURN_NONE; /* the station's address always comes from the network */
}

static PyObject *stop_dhcp(PyObject *self, PyObject *u) {
    (void)self;
    (void)u;
    PyErr_SetString(PyExc_NotImplementedError, "static addresses are not available on this board");
    return NULL;
}

static PyObject *dhcp_ap(PyObject *self, PyObject *u) {
    (void)self;
    (void)u;
    Py_RETURN_NONE; /* the access point's DHCP server: no access point runs */
}

typedef struct {
    const c9_net_socket_ops_t *ops;
    const char *host;
    c9_net_addr_t addr;
    size_t count;
} ping_lookup_t;

static PyObject *ping(PyObject *self, PyObject *args, PyObject *kw) {
    (void)self;
    enum { ARG_ip, ARG_timeout };
    static const c9py_arg_t allowed[] = {
        {"ip", C9PY_ARG_OBJ | C9PY_ARG_REQUIRED},
        {"timeout", C9PY_ARG_OBJ | C9PY_ARG_KW_ONLY, {.u_obj = Py_None}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0) {
        return NULL;
    }
    double timeout = 0.5;
    if (a[ARG_timeout].u_obj != Py_None && c9py_mp_float(a[ARG_timeout].u_obj, &timeout) < 0) {
        return NULL;
    }
    c9_net_addr_t to = {.family = C9_NET_AF_INET};
    int r = c9py_ipv4_get(a[ARG_ip].u_obj, to.addr);
    if (r < 0) {
        return NULL;
    }
    if (r == 0) {
        /* As the espressif port: anything else is a host name to resolve. */
        if (!PyUnicode_Check(a[ARG_ip].u_obj)) {
            PyErr_Format(PyExc_TypeError, "can't convert '%s' object to str implicitly",
                         c9py_type_name(a[ARG_ip].u_obj));
            return NULL;
        }
        ping_lookup_t l = {.host = PyUnicode_AsUTF8(a[ARG_ip].u_obj)};
        if (!l.host) {
            return NULL;
        }
        c9_err_t err = c9_port_net_sockets(&l.ops);
        if (err == C9_OK) {
            Py_BEGIN_ALLOW_THREADS err =
                l.ops->getaddrinfo(l.ops->ctx, l.host, 0, C9_NET_AF_INET, C9_NET_SOCK_STREAM, &l.addr, 1, &l.count);
            Py_END_ALLOW_THREADS
        }
        if (err != C9_OK) {
            return fail(err == C9_ERR_INVAL ? C9_ERR_NET_NONAME : err);
        }
        to = l.addr;
    }
    uint32_t rtt = 0;
    double ms = timeout * 1000.0;
    c9_err_t err = c9_port_net_ping(&to, ms <= 0 ? 0 : ms >= 4e9 ? 4000000000u : (uint32_t)ms, &rtt);
    if (err == C9_ERR_TIMEDOUT || err == C9_ERR_HOSTUNREACH) {
        Py_RETURN_NONE; /* no echo in time */
    }
    if (err != C9_OK) {
        return fail(err);
    }
    return PyFloat_FromDouble(rtt / 1000.0);
}

static PyObject *get_stations_ap(PyObject *self, void *c) {
    (void)self;
    (void)c;
    Py_RETURN_NONE; /* esp_wifi_ap_get_sta_list fails without an access point running */
}

static PyMethodDef radio_methods[] = {
    {"start_scanning_networks", (PyCFunction)(void (*)(void))start_scanning_networks, METH_VARARGS | METH_KEYWORDS,
     "Scans for available wifi networks over the given channel range."},
    {"stop_scanning_networks", stop_scanning_networks, METH_NOARGS, "Stop scanning for wifi networks."},
    {"start_station", start_station, METH_NOARGS, "Starts a Station."},
    {"stop_station", stop_station, METH_NOARGS, "Stops the Station."},
    {"start_ap", (PyCFunction)(void (*)(void))start_ap, METH_VARARGS | METH_KEYWORDS,
     "Starts an access point (not on this board)."},
    {"stop_ap", stop_ap, METH_NOARGS, "Stops the access point."},
    {"start_dhcp", (PyCFunction)(void (*)(void))start_dhcp, METH_VARARGS | METH_KEYWORDS,
     "Starts the station DHCP client."},
    {"stop_dhcp", stop_dhcp, METH_NOARGS, "Stops the station DHCP client (not on this board)."},
    {"start_dhcp_ap", dhcp_ap, METH_NOARGS, "Starts the access point DHCP server."},
    {"stop_dhcp_ap", dhcp_ap, METH_NOARGS, "Stops the access point DHCP server."},
    {"connect", (PyCFunction)(void (*)(void))connect, METH_VARARGS | METH_KEYWORDS,
     "Connects to the given ssid and waits for an ip address."},
    {"set_ipv4_address", (PyCFunction)(void (*)(void))set_ipv4_address, METH_VARARGS | METH_KEYWORDS,
     "Sets the IP v4 address of the station (not on this board)."},
    {"set_ipv4_address_ap", (PyCFunction)(void (*)(void))set_ipv4_address_ap, METH_VARARGS | METH_KEYWORDS,
     "Sets the IP v4 address of the access point (not on this board)."},
    {"ping", (PyCFunction)(void (*)(void))ping, METH_VARARGS | METH_KEYWORDS,
     "Ping an IP to test connectivity. Returns echo time in seconds, or None when it times out."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef radio_getset[] = {
    {"enabled", get_enabled, set_enabled, "True when the wifi radio is enabled.", NULL},
    {"hostname", get_hostname, set_hostname, "Hostname for wifi interface.", NULL},
    {"mac_address", get_mac, set_mac, "MAC address for the station.", NULL},
    {"mac_address_ap", get_mac_ap, set_mac_ap, "MAC address for the AP.", NULL},
    {"tx_power", get_tx_power, set_tx_power, "Wifi transmission power, in dBm.", NULL},
    {"listen_interval", get_listen_interval, set_listen_interval, "Wifi power save listen interval.", NULL},
    {"ap_active", get_false, NULL, "True if running as an access point. (read-only)", NULL},
    {"stations_ap", get_stations_ap, NULL, "Stations connected to the access point.", NULL},
    {"connected", get_connected, NULL, "True if connected to an access point (read-only).", NULL},
    {"ipv4_gateway", ipv4_field, NULL, "IP v4 Address of the station gateway.", (void *)IP_GATEWAY},
    {"ipv4_gateway_ap", get_none, NULL, "IP v4 Address of the access point gateway.", NULL},
    {"ipv4_subnet", ipv4_field, NULL, "IP v4 Address of the station subnet.", (void *)IP_NETMASK},
    {"ipv4_subnet_ap", get_none, NULL, "IP v4 Address of the access point subnet.", NULL},
    {"ipv4_address", ipv4_field, NULL, "IP v4 Address of the station.", (void *)IP_ADDRESS},
    {"ipv4_address_ap", get_none, NULL, "IP v4 Address of the access point.", NULL},
    {"ipv4_dns", ipv4_field, set_ipv4_dns, "IP v4 Address of the DNS server to be used.", (void *)IP_DNS},
    {"addresses", get_addresses, NULL, "Address(es) of the station.", NULL},
    {"addresses_ap", get_empty, NULL, "Address(es) of the access point.", NULL},
    {"dns", get_dns, set_dns, "Address of the DNS server to be used.", NULL},
    {"ap_info", get_ap_info, NULL, "The access point the station is connected to, or None.", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static void radio_dealloc(PyObject *self) {
    Py_CLEAR(RADIO->scan);
    Py_TYPE(self)->tp_free(self);
}

static PyTypeObject Radio_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wifi.Radio",
    .tp_basicsize = sizeof(radio_obj_t),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Native wifi radio. You cannot create an instance: use wifi.radio.",
    .tp_dealloc = radio_dealloc,
    .tp_methods = radio_methods,
    .tp_getset = radio_getset,
};

/* A program's end: its scan goes, and a radio it brought up itself comes back as wifi's init
 * leaves it (the supervisor decides about the connection: supervisor/run_net.c). */
static void radio_vm_reset(void *ctx) {
    radio_obj_t *r = ctx;
    Py_CLEAR(r->scan);
    r->station = true;
    r->mac_set = false;
    r->tx_power = 20.0;
    r->listen_interval = 0;
}

/* ---- Monitor ----------------------------------------------------------------------------------- */

static PyObject *monitor_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
    (void)type;
    static const c9py_arg_t allowed[] = {
        {"channel", C9PY_ARG_INT, {.u_int = 1}},
        {"queue", C9PY_ARG_INT, {.u_int = 128}},
    };
    c9py_argval_t a[2];
    if (c9py_arg_parse(args, kw, allowed, 2, a) < 0 || c9py_check_range(a[0].u_int, 0, 13, "channel") < 0 ||
        c9py_check_min(a[1].u_int, 0, "queue") < 0) {
        return NULL;
    }
    PyErr_SetString(PyExc_NotImplementedError, "monitor mode is not available on this board");
    return NULL;
}

static PyTypeObject Monitor_Type = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "wifi.Monitor",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "For monitoring WiFi packets (not on this board).",
    .tp_new = monitor_new,
};

/* ---- the module ---------------------------------------------------------------------------------- */

static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "wifi", "The board's wifi radio.", -1, NULL};

static PyObject *make_station_type(void) {
    PyObject *collections = PyImport_ImportModule("collections");
    if (!collections) {
        return NULL;
    }
    PyObject *t = PyObject_CallMethod(collections, "namedtuple", "s(sss)", "WifiRadioStation", "mac_address", "rssi",
                                      "ipv4_address");
    Py_DECREF(collections);
    return t;
}

PyObject *c9py_init_wifi(void) {
    PyObject *m = PyModule_Create(&def);
    if (!m) {
        return NULL;
    }
    if ((!authmode_type && !(authmode_type = c9py_enum_type_new("wifi.AuthMode", authmode_names))) ||
        (!packet_type && !(packet_type = c9py_enum_type_new("wifi.Packet", packet_names))) ||
        (!station_type && !(station_type = make_station_type())) || PyType_Ready(&Network_Type) < 0 ||
        PyType_Ready(&ScannedNetworks_Type) < 0 || PyType_Ready(&Monitor_Type) < 0 ||
        c9py_type_ready(&Radio_Type) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    if (!the_radio) {
        the_radio = PyObject_New(radio_obj_t, &Radio_Type);
        if (!the_radio) {
            Py_DECREF(m);
            return NULL;
        }
        the_radio->scan = NULL;
        the_radio->mac_set = false;
        the_radio->tx_power = 20.0; /* CIRCUITPY_WIFI_DEFAULT_TX_POWER */
        the_radio->listen_interval = 0;
        the_radio->station = true; /* wifi's init starts the station */
        default_hostname(the_radio);
        c9rt_reset_add(radio_vm_reset, the_radio);
    }
    if (PyModule_AddObject(m, "AuthMode", Py_NewRef((PyObject *)authmode_type)) < 0 ||
        PyModule_AddObject(m, "Packet", Py_NewRef((PyObject *)packet_type)) < 0 ||
        PyModule_AddObject(m, "Station", Py_NewRef(station_type)) < 0 ||
        PyModule_AddObject(m, "Network", Py_NewRef((PyObject *)&Network_Type)) < 0 ||
        PyModule_AddObject(m, "Monitor", Py_NewRef((PyObject *)&Monitor_Type)) < 0 ||
        PyModule_AddObject(m, "Radio", Py_NewRef((PyObject *)&Radio_Type)) < 0 ||
        PyModule_AddObject(m, "radio", Py_NewRef((PyObject *)the_radio)) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
