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
    switch (err) {
    case C9_ERR_INTR: return "interrupted";
    case C9_ERR_PIPE: return "broken pipe";
    case C9_ERR_MSGSIZE: return "message too long";
    case C9_ERR_NOPROTOOPT: return "protocol option not available";
    case C9_ERR_AFNOSUPPORT: return "address family not supported";
    case C9_ERR_ADDRINUSE: return "address already in use";
    case C9_ERR_ADDRNOTAVAIL: return "address not available";
    case C9_ERR_NETUNREACH: return "network unreachable";
    case C9_ERR_CONNABORTED: return "connection aborted";
    case C9_ERR_CONNRESET: return "connection reset by peer";
    case C9_ERR_NOBUFS: return "no buffer space";
    case C9_ERR_ISCONN: return "already connected";
    case C9_ERR_NOTCONN: return "not connected";
    case C9_ERR_CONNREFUSED: return "connection refused";
    case C9_ERR_HOSTUNREACH: return "host unreachable";
    case C9_ERR_ALREADY: return "connection in progress";
    case C9_ERR_INPROGRESS: return "connection started";
    case C9_ERR_NET_OUT_OF_SOCKETS: return "Out of sockets";
    case C9_ERR_NET_NONAME: return "Name or service not known";
    case C9_ERR_NET_IN_USE: return "an existing socket is already connected to this host";
    case C9_ERR_NET_NOT_MANAGED: return "Socket not managed";
    case C9_ERR_NET_NO_TLS_CONTEXT: return "ssl_context must be provided if using ssl";
    case C9_ERR_TLS_HANDSHAKE: return "TLS handshake failed";
    case C9_ERR_TLS_CERT_UNTRUSTED: return "certificate not signed by a trusted CA";
    case C9_ERR_TLS_CERT_EXPIRED: return "certificate expired";
    case C9_ERR_TLS_CERT_HOSTNAME: return "certificate does not match the host name";
    case C9_ERR_TLS_CERT_VERIFY: return "certificate verification failed";
    case C9_ERR_TLS_BAD_CERT: return "invalid cert";
    case C9_ERR_TLS_BAD_KEY: return "invalid key";
    case C9_ERR_TLS_EOF: return "connection closed without TLS close_notify";
    case C9_ERR_TLS_PROTOCOL: return "TLS protocol error";
    default: return c9_strerror(err);
    }
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
