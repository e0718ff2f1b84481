/* Helpers shared by every user of the socket table: error numbers and texts, address text,
 * send-all. */
#include "circuit9/net.h"

#include <string.h>

int c9_net_errno(c9_err_t err) {
    if (err < 0 && err > -1000) {
        return -err;
    }
    return 0;
}

const char *c9_net_strerror(c9_err_t err) {
    return c9_strerror(err); /* common.h's table has every code's text */
}

static char *put_u(char *p, unsigned v) {
    char tmp[8];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        *p++ = tmp[--n];
    }
    return p;
}

static char *put_hex(char *p, unsigned v) {
    static const char hex[] = "0123456789abcdef";
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (v >> shift) & 15;
        if (d || started || shift == 0) {
            *p++ = hex[d];
            started = true;
        }
    }
    return p;
}

c9_err_t c9_net_addr_format(const c9_net_addr_t *a, char *out, size_t out_size) {
    char tmp[48];
    char *p = tmp;
    if (a->family == C9_NET_AF_INET) {
        for (int i = 0; i < 4; i++) {
            if (i) {
                *p++ = '.';
            }
            p = put_u(p, a->addr[i]);
        }
    } else if (a->family == C9_NET_AF_INET6) {
        uint16_t w[8];
        for (int i = 0; i < 8; i++) {
            w[i] = (uint16_t)(a->addr[2 * i] << 8 | a->addr[2 * i + 1]);
        }
        /* RFC 5952: the longest run (first if tied) of two or more zero groups becomes "::". */
        int best = -1, best_len = 1;
        for (int i = 0; i < 8;) {
            if (w[i]) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && !w[j]) {
                j++;
            }
            if (j - i > best_len) {
                best = i;
                best_len = j - i;
            }
            i = j;
        }
        bool v4 = best == 0 && best_len == 5 && w[5] == 0xffff; /* ::ffff:a.b.c.d */
        for (int i = 0; i < 8; i++) {
            if (i == best) {
                *p++ = ':';
                if (i == 0) {
                    *p++ = ':';
                }
                i += best_len - 1;
                continue;
            }
            if (v4 && i == 6) {
                for (int k = 12; k < 16; k++) {
                    p = put_u(p, a->addr[k]);
                    if (k < 15) {
                        *p++ = '.';
                    }
                }
                break;
            }
            p = put_hex(p, w[i]);
            if (i < 7) {
                *p++ = ':';
            }
        }
    } else {
        return C9_ERR_AFNOSUPPORT;
    }
    size_t n = (size_t)(p - tmp);
    if (n + 1 > out_size) {
        return C9_ERR_NOMEM;
    }
    memcpy(out, tmp, n);
    out[n] = 0;
    return (c9_err_t)n;
}

c9_err_t c9_net_send_all(const c9_net_socket_ops_t *ops, c9_sock_t s, const void *buf, size_t len, size_t *sent) {
    const uint8_t *p = (const uint8_t *)buf;
    size_t done = 0;
    c9_err_t err = C9_OK;
    while (done < len) {
        size_t n = 0;
        err = ops->send(ops->ctx, s, p + done, len - done, &n);
        if (err != C9_OK) {
            break;
        }
        if (n == 0) {
            /* A table that accepts nothing without saying why would loop forever here. */
            err = C9_ERR_IO;
            break;
        }
        done += n;
    }
    if (sent) {
        *sent = done;
    }
    return err;
}
