/* Fuzzes the HTTP client end to end over a scripted socket table: the first byte picks the
 * piece size, the method and the limits; the rest is what the "server" answers. Whatever comes,
 * the client must return an error or a body, never read outside its buffers, and leave no
 * socket behind: after the response ends, the connection is either kept (and healthy) or
 * closed. */
#include <stdlib.h>
#include <string.h>

#include "circuit9/http.h"

#include "fake_net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) {
        return 0;
    }
    uint8_t ctl = data[0];
    static fake_net_t f;
    fake_init(&f, 4);
    fake_push(&f, data + 1, size - 1, 1 + (ctl & 15) * 7, (ctl & 0x40) != 0);
    c9_net_conn_t slots[2];
    c9_net_connmgr_t m;
    c9_net_connmgr_config_t mc = {.sock = &f.ops};
    c9_net_connmgr_init(&m, &mc, slots, 2);
    uint8_t buf[512];
    c9_http_field_t fields[12];
    c9_http_client_t h;
    c9_http_client_config_t hc = {.mgr = &m,
                                  .buf = buf,
                                  .buf_size = sizeof buf,
                                  .fields = fields,
                                  .max_fields = 12,
                                  .max_body = (ctl & 0x20) ? 4096 : 0,
                                  .head_timeout_ms = 5000};
    if (c9_http_client_init(&h, &hc) != C9_OK) {
        __builtin_trap();
    }
    c9_http_request_t req = {
        .method = (ctl & 0x10) ? "HEAD" : "GET", .proto = "http:", .host = "fuzz", .path = "/", .timeout_ms = 1000};
    c9_http_response_t *r;
    if (c9_http_request(&h, &req, &r) == C9_OK) {
        uint8_t out[97];
        size_t n, total = 0;
        c9_err_t err;
        while ((err = c9_http_read(r, out, sizeof out, &n)) == C9_OK && n > 0) {
            total += n;
            if (total > size) {
                __builtin_trap(); /* more body than input */
            }
        }
        for (size_t i = 0; i < r->nfields + r->ntrailers; i++) {
            const uint8_t *p = (const uint8_t *)r->fields[i].value;
            if (r->fields[i].value_len && (p < buf || p + r->fields[i].value_len > buf + sizeof buf)) {
                __builtin_trap();
            }
        }
        c9_http_response_close(r);
    }
    /* Nothing lent out; whatever is still open is a kept socket. */
    if (c9_net_connmgr_managed(&m) != c9_net_connmgr_available(&m) || f.open != c9_net_connmgr_managed(&m)) {
        __builtin_trap();
    }
    c9_net_connmgr_close_all(&m, true);
    if (f.open != 0) {
        __builtin_trap();
    }
    return 0;
}
