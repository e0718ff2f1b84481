/* The chip's non-volatile memory (microcontroller.nvm) on the virtual board: a file next to the
 * CIRCUITPY drive, so that a second run of the same drive on the same board reads what the first
 * one wrote, as a board does after a power cycle. For a drive DIR/NAME (a directory or a disk
 * image) the file is DIR/.NAME.BOARD.nvm: outside the drive, so that it is not on the drive's
 * listing, and per board, since the memory is the chip's, not the drive's. Without a drive the
 * memory lasts as long as the process. */
#include "vpanel_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct {
    bool configured;
    size_t size;
    uint8_t erased;
    char path[PATH_MAX];
    bool have_path;
    uint8_t *mem; /* the memory once read (NULL: not yet) */
} nv;

void c9__port_set_nvm(const c9_board_t *b, const char *drive) {
    free(nv.mem);
    memset(&nv, 0, sizeof nv);
    nv.configured = true;
    const c9_mcu_t *mcu = b ? c9_mcu_find(b->mcu) : NULL;
    if (!mcu) {
        return;
    }
    nv.size = mcu->nvm_size;
    nv.erased = mcu->nvm_erased;
    char full[PATH_MAX];
    if (!drive || !*drive || !realpath(drive, full)) {
        return;
    }
    char *slash = strrchr(full, '/');
    if (!slash || !slash[1]) {
        return; /* the host's root as the drive: nowhere beside it */
    }
    *slash = 0;
    int n = snprintf(nv.path, sizeof nv.path, "%s/.%s.%s.nvm", full, slash + 1, b->name);
    nv.have_path = n > 0 && (size_t)n < sizeof nv.path;
}

static c9_err_t load(void) {
    if (!nv.configured) {
        c9__port_set_nvm(c9_port_board(), NULL);
    }
    if (!nv.size) {
        return C9_ERR_NOSYS;
    }
    if (nv.mem) {
        return C9_OK;
    }
    uint8_t *mem = malloc(nv.size);
    if (!mem) {
        return C9_ERR_IO;
    }
    memset(mem, nv.erased, nv.size);
    if (nv.have_path) {
        int fd = open(nv.path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 && errno != ENOENT) {
            free(mem);
            return C9_ERR_IO;
        }
        /* A shorter file (never the case for one this port wrote) leaves the rest erased. */
        for (size_t got = 0; fd >= 0 && got < nv.size;) {
            ssize_t r = read(fd, mem + got, nv.size - got);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r < 0) {
                close(fd);
                free(mem);
                return C9_ERR_IO;
            }
            if (r == 0) {
                break;
            }
            got += (size_t)r;
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    nv.mem = mem;
    return C9_OK;
}

/* The whole memory to a new file renamed over the old one: a run stopped half way leaves the
 * previous contents, as a flash row write that did not finish leaves the row to be rewritten. */
static c9_err_t store(void) {
    if (!nv.have_path) {
        return C9_OK;
    }
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.tmp", nv.path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return C9_ERR_IO;
    }
    for (size_t put = 0; put < nv.size;) {
        ssize_t w = write(fd, nv.mem + put, nv.size - put);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return C9_ERR_IO;
        }
        put += (size_t)w;
    }
    if (close(fd) != 0 || rename(tmp, nv.path) != 0) {
        unlink(tmp);
        return C9_ERR_IO;
    }
    return C9_OK;
}

size_t c9_port_nvm_size(void) {
    if (!nv.configured) {
        c9__port_set_nvm(c9_port_board(), NULL);
    }
    return nv.size;
}

static bool in_range(size_t offset, size_t len) {
    return offset <= nv.size && len <= nv.size - offset;
}

c9_err_t c9_port_nvm_read(size_t offset, void *buf, size_t len) {
    c9_err_t err = load();
    if (err != C9_OK) {
        return err;
    }
    if (!in_range(offset, len)) {
        return C9_ERR_RANGE;
    }
    if (len) {
        memcpy(buf, nv.mem + offset, len);
    }
    return C9_OK;
}

c9_err_t c9_port_nvm_write(size_t offset, const void *buf, size_t len) {
    c9_err_t err = load();
    if (err != C9_OK) {
        return err;
    }
    if (!in_range(offset, len)) {
        return C9_ERR_RANGE;
    }
    if (!len) {
        return C9_OK;
    }
    uint8_t *old = malloc(len);
    if (!old) {
        return C9_ERR_IO;
    }
    memcpy(old, nv.mem + offset, len);
    memcpy(nv.mem + offset, buf, len);
    err = store();
    if (err != C9_OK) {
        memcpy(nv.mem + offset, old, len); /* the stored memory did not change */
    }
    free(old);
    return err;
}
