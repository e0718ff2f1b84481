/* Helpers shared by every user of the socket table: error numbers and texts, address text,
 * send-all. */
#include "circuit9/net.h"

#include <string.h>

/* Linux numbers (the codes' own) against newlib's, for those that differ; below 35 the two agree. */
static const struct {
    uint8_t linux_no, newlib_no;
    const char *name;
} errnos[] = {
    {1, 1, "EPERM"},
    {2, 2, "ENOENT"},
    {4, 4, "EINTR"},
    {5, 5, "EIO"},
    {9, 9, "EBADF"},
    {11, 11, "EAGAIN"},
    {12, 12, "ENOMEM"},
    {13, 13, "EACCES"},
    {16, 16, "EBUSY"},
    {17, 17, "EEXIST"},
    {19, 19, "ENODEV"},
    {22, 22, "EINVAL"},
    {32, 32, "EPIPE"},
    {34, 34, "ERANGE"},
    {38, 88, "ENOSYS"},
    {90, 122, "EMSGSIZE"},
    {92, 109, "ENOPROTOOPT"},
    {95, 95, "EOPNOTSUPP"},
    {97, 106, "EAFNOSUPPORT"},
    {98, 112, "EADDRINUSE"},
    {99, 125, "EADDRNOTAVAIL"},
    {101, 114, "ENETUNREACH"},
    {103, 113, "ECONNABORTED"},
    {104, 104, "ECONNRESET"},
    {105, 105, "ENOBUFS"},
    {106, 127, "EISCONN"},
    {107, 128, "ENOTCONN"},
    {110, 116, "ETIMEDOUT"},
    {111, 111, "ECONNREFUSED"},
    {113, 118, "EHOSTUNREACH"},
    {114, 120, "EALREADY"},
    {115, 119, "EINPROGRESS"},
};

int c9_net_errno(c9_err_t err) {
    if (err >= 0 || err <= -1000) {
        return 0;
    }
    for (size_t i = 0; i < C9_ARRAY_SIZE(errnos); i++) {
        if (errnos[i].linux_no == -err) {
            return errnos[i].newlib_no;
        }
    }
    return -err;
}

const char *c9_net_errno_name(int errnum) {
    for (size_t i = 0; i < C9_ARRAY_SIZE(errnos); i++) {
        if (errnos[i].newlib_no == errnum) {
            return errnos[i].name;
        }
    }
    return NULL;
}

c9_err_t c9_net_ipv4_parse(const char *s, size_t len, uint8_t out[4]) {
    if (!s || !out) {
        return C9_ERR_INVAL;
    }
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.') {
                return C9_ERR_INVAL;
            }
            i++;
        }
        unsigned v = 0;
        size_t digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + (unsigned)(s[i] - '0');
            if (v > 255) {
                return C9_ERR_INVAL;
            }
            i++;
            digits++;
        }
        if (digits == 0) {
            return C9_ERR_INVAL;
        }
        out[part] = (uint8_t)v;
    }
    return i == len ? C9_OK : C9_ERR_INVAL;
}

static bool hosts_sep(char c) {
    return c == ' ' || c == '\t' || c == ',' || c == '\n' || c == '\r';
}

static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool name_equal(const char *a, size_t alen, const char *b, size_t blen) {
    /* "example.org." is "example.org": DNS names are absolute either way. */
    if (alen > 0 && a[alen - 1] == '.') {
        alen--;
    }
    if (blen > 0 && b[blen - 1] == '.') {
        blen--;
    }
    if (alen != blen || alen == 0) {
        return false;
    }
    for (size_t i = 0; i < alen; i++) {
        if (lower(a[i]) != lower(b[i])) {
            return false;
        }
    }
    return true;
}

c9_err_t c9_net_hosts_lookup(const char *spec, const char *name, size_t len, uint8_t out[4]) {
    if (!name || !out) {
        return C9_ERR_INVAL;
    }
    if (!spec) {
        return C9_ERR_NOENT;
    }
    const char *p = spec;
    while (*p) {
        while (*p && hosts_sep(*p)) {
            p++;
        }
        const char *entry = p;
        while (*p && !hosts_sep(*p)) {
            p++;
        }
        size_t elen = (size_t)(p - entry);
        size_t eq = 0;
        while (eq < elen && entry[eq] != '=') {
            eq++;
        }
        if (eq == elen || !name_equal(entry, eq, name, len)) {
            continue;
        }
        return c9_net_ipv4_parse(entry + eq + 1, elen - eq - 1, out);
    }
    return C9_ERR_NOENT;
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
