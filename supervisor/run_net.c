/*
 * The board's network around user code, as CircuitPython 9's supervisor handles it
 * (supervisor_start_web_workflow, socketpool_user_reset, wifi_user_reset):
 *
 *  - settings.toml's CIRCUITPY_WIFI_SSID / CIRCUITPY_WIFI_PASSWORD name the access point the
 *    virtual board sees, and connect the station whenever user code starts (boot.py, code.py,
 *    the REPL); a connection that fails leaves the radio off, as on the board;
 *  - when a program ends its sockets are closed, and a radio it brought up itself (no
 *    credentials in settings.toml) starts over: on and not connected;
 *  - circuit9's own keys, which a board ignores: CIRCUIT9_HOSTS ("name=a.b.c.d ...", names the
 *    board resolves itself) and CIRCUIT9_CA_FILE (a PEM file on the drive whose certificates
 *    join the board's CA bundle), so that a program written for real servers can be pointed at
 *    local ones without editing it.
 */
#define _GNU_SOURCE
#include "run_internal.h"

#include "circuit9/port.h"
#include "circuit9/settings.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char ssid[33], password[65], hosts[4096], ca_file[PATH_MAX + 256];
static bool have_credentials;

/* A string setting into out; false when missing, not a string or too long. */
static bool setting(const char *text, size_t len, const char *key, char *out, size_t size) {
    size_t n;
    bool quoted;
    int bad;
    c9_err_t err = c9_settings_get(text, len, key, out, size, &n, &quoted, &bad);
    if (err != C9_OK || !quoted || n >= size) {
        out[0] = 0;
        return false;
    }
    return true;
}

void run_net_config(c9_port_config_t *port, unsigned sockets) {
    /* Before Python runs: the drive folder's file (a drive image's settings are not read here; a
     * file the board would refuse is no settings at all, and code.py's os.getenv() says why). */
    size_t len = 0;
    char *text = NULL, path[PATH_MAX + 16];
    if (c9rt.root[0]) {
        snprintf(path, sizeof path, "%s/settings.toml", c9rt.root);
        (void)c9rt_read_host_settings(path, &text, &len);
    }
    have_credentials = false;
    ssid[0] = password[0] = hosts[0] = ca_file[0] = 0;
    if (text) {
        have_credentials = setting(text, len, "CIRCUITPY_WIFI_SSID", ssid, sizeof ssid) && ssid[0];
        if (!setting(text, len, "CIRCUITPY_WIFI_PASSWORD", password, sizeof password)) {
            password[0] = 0; /* no password: an open network */
        }
        setting(text, len, "CIRCUIT9_HOSTS", hosts, sizeof hosts);
        char path[256];
        if (setting(text, len, "CIRCUIT9_CA_FILE", path, sizeof path) && path[0]) {
            snprintf(ca_file, sizeof ca_file, "%s%s%s", c9rt.root, path[0] == '/' ? "" : "/", path);
        }
        free(text);
    }
    port->wifi_ssid = have_credentials ? ssid : NULL;
    port->wifi_password = have_credentials ? password : NULL;
    port->net_hosts = hosts[0] ? hosts : NULL;
    port->ca_file = ca_file[0] ? ca_file : NULL;
    port->net_sockets = sockets;
}

void run_net_start(void) {
    if (!have_credentials) {
        return;
    }
    if (!c9_port_wifi_enabled() && c9_port_wifi_enable(true) != C9_OK) {
        return;
    }
    c9_err_t err = c9_port_wifi_connect((const uint8_t *)ssid, strlen(ssid), (const uint8_t *)password,
                                        strlen(password), 0, NULL, 8000);
    if (err != C9_OK) {
        (void)c9_port_wifi_enable(false);
    }
}

void run_net_reset(void) {
    c9_port_net_reset(); /* the wifi module's settings went back with c9rt_reset_run() */
    if (!have_credentials) {
        (void)c9_port_wifi_disconnect();
        (void)c9_port_wifi_enable(true);
    }
}
