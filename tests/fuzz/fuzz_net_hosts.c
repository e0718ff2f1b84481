/* Fuzzes the IPv4 text parser and the static host table (net.h). The input is split at its first
 * NUL into a table and a name to look up. An address that parses formats back to the same text
 * once leading zeros are dropped; a lookup never reads past the table's end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "circuit9/net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t a[4];
    if (c9_net_ipv4_parse((const char *)data, size, a) == C9_OK) {
        c9_net_addr_t na = {.family = C9_NET_AF_INET};
        memcpy(na.addr, a, 4);
        char text[64];
        c9_err_t n = c9_net_addr_format(&na, text, sizeof text);
        uint8_t b[4];
        if (n < 7 || c9_net_ipv4_parse(text, (size_t)n, b) != C9_OK || memcmp(a, b, 4) != 0) {
            __builtin_trap();
        }
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t spec_len = nul ? (size_t)(nul - data) : size;
    char *spec = malloc(spec_len + 1);
    if (!spec) {
        return 0;
    }
    memcpy(spec, data, spec_len);
    spec[spec_len] = 0;
    const char *name = nul ? (const char *)nul + 1 : "";
    size_t name_len = nul ? size - spec_len - 1 : 0;
    c9_err_t err = c9_net_hosts_lookup(spec, name, name_len, a);
    if (err != C9_OK && err != C9_ERR_NOENT && err != C9_ERR_INVAL) {
        __builtin_trap();
    }
    free(spec);
    return 0;
}
