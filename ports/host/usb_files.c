/* Files for the USB side of the host port: whole-file reads (MIDI files, recordings) and a
 * usbmon pcap writer fed by the host stack's tap. */
#include "circuit9/host_usb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

c9_err_t c9_host_read_file(const char *path, size_t max_len, uint8_t **data, size_t *len) {
    if (path == NULL || data == NULL || len == NULL) {
        return C9_ERR_INVAL;
    }
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return errno == ENOENT ? C9_ERR_NOENT : C9_ERR_IO;
    }
    c9_err_t err = C9_OK;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            if (cap >= max_len) {
                err = C9_ERR_RANGE;
                break;
            }
            size_t next = cap ? cap * 2 : 4096;
            if (next > max_len) {
                next = max_len + 1; // one byte more tells a file of exactly max_len from a longer one
            }
            uint8_t *b = realloc(buf, next);
            if (b == NULL) {
                err = C9_ERR_NOMEM;
                break;
            }
            buf = b;
            cap = next;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            err = ferror(f) ? C9_ERR_IO : C9_OK;
            break;
        }
    }
    fclose(f);
    if (err == C9_OK && n > max_len) {
        err = C9_ERR_RANGE;
    }
    if (err != C9_OK) {
        free(buf);
        return err;
    }
    *data = buf;
    *len = n;
    return C9_OK;
}

struct c9_host_pcap {
    FILE *f;
    c9_err_t error;
    uint8_t *buf;
    size_t cap;
};

c9_err_t c9_host_pcap_create(c9_host_pcap_t **out, const char *path) {
    if (out == NULL || path == NULL) {
        return C9_ERR_INVAL;
    }
    c9_host_pcap_t *w = calloc(1, sizeof *w);
    if (w == NULL) {
        return C9_ERR_NOMEM;
    }
    w->f = fopen(path, "wb");
    uint8_t hdr[C9_USBMON_FILE_HEADER_SIZE];
    c9_usbmon_write_file_header(hdr, sizeof hdr, 65535);
    if (w->f == NULL || fwrite(hdr, 1, sizeof hdr, w->f) != sizeof hdr) {
        if (w->f) {
            fclose(w->f);
        }
        free(w);
        return C9_ERR_IO;
    }
    *out = w;
    return C9_OK;
}

void c9_host_pcap_tap(void *ctx, const c9_usbmon_packet_t *pkt) {
    c9_host_pcap_t *w = ctx;
    if (w == NULL || w->error != C9_OK) {
        return;
    }
    size_t need = C9_USBMON_RECORD_OVERHEAD + pkt->data_len;
    if (need > w->cap) {
        uint8_t *b = realloc(w->buf, need);
        if (b == NULL) {
            w->error = C9_ERR_NOMEM;
            return;
        }
        w->buf = b;
        w->cap = need;
    }
    size_t n = c9_usbmon_write_packet(pkt, w->buf, w->cap);
    if (n == 0 || fwrite(w->buf, 1, n, w->f) != n) {
        w->error = C9_ERR_IO;
    }
}

c9_err_t c9_host_pcap_close(c9_host_pcap_t *w) {
    if (w == NULL) {
        return C9_ERR_INVAL;
    }
    c9_err_t err = w->error;
    if (fclose(w->f) != 0 && err == C9_OK) {
        err = C9_ERR_IO;
    }
    free(w->buf);
    free(w);
    return err;
}
