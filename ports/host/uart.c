/* UARTs of the virtual board: each one is the master side of a pseudo-terminal. What the board
 * sends on TX comes out of the terminal's other side (c9_host_uart_device names it), what a host
 * program writes there arrives on RX: a GPS, a modem or a person with a terminal program can be
 * the device at the other end. The line is raw: no echo, no line editing, bytes as they are. */
#define _GNU_SOURCE
#include "vpanel_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

struct c9_port_uart {
    int fd; /* pty master */
    int tx, rx;
    uint32_t baudrate, timeout_ms;
    char device[64];
};

/* A raw pseudo-terminal: returns its master (or -1) and names the side a host program opens in
 * device. keep_slave: the slave side is kept open there, so that what the board writes waits in
 * the terminal for a client that comes later and the master never reads a hang-up; NULL closes
 * it (a UART line nobody listens to loses its bytes, as a wire does). */
static int open_pty(char *device, size_t device_size, int *keep_slave) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0 || grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, device, device_size) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    /* Raw both ways, so the bytes are the board's bytes. */
    struct termios t;
    int slave = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave >= 0) {
        if (tcgetattr(slave, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(slave, TCSANOW, &t);
        }
        if (keep_slave) {
            *keep_slave = slave;
        } else {
            close(slave);
        }
    } else if (keep_slave) {
        *keep_slave = -1;
    }
    if (tcgetattr(fd, &t) == 0) {
        cfmakeraw(&t);
        tcsetattr(fd, TCSANOW, &t);
    }
    return fd;
}

c9_err_t c9_port_uart_open(const c9_port_uart_config_t *cfg, c9_port_uart_t **out) {
    if (!cfg || (cfg->tx < 0 && cfg->rx < 0) || cfg->bits < 5 || cfg->bits > 9 || cfg->stop < 1 || cfg->stop > 2 ||
        cfg->parity > C9_PORT_PARITY_ODD || cfg->baudrate == 0) {
        return C9_ERR_INVAL;
    }
    c9_port_uart_t *u = calloc(1, sizeof(*u));
    if (!u) {
        return C9_ERR_NOMEM;
    }
    u->fd = open_pty(u->device, sizeof u->device, NULL);
    if (u->fd < 0) {
        free(u);
        return C9_ERR_BUSY; /* the host has no pseudo-terminal to spare */
    }
    /* Where the device at the other end plugs in: the user's GPS simulator, modem, terminal. */
    fprintf(stderr, "circuit9: UART (TX %s, RX %s) on %s\n", cfg->tx >= 0 ? c9_vpin_name(cfg->tx) : "-",
            cfg->rx >= 0 ? c9_vpin_name(cfg->rx) : "-", u->device);
    u->tx = cfg->tx;
    u->rx = cfg->rx;
    u->baudrate = cfg->baudrate;
    u->timeout_ms = cfg->timeout_ms;
    *out = u;
    return C9_OK;
}

void c9_port_uart_close(c9_port_uart_t *uart) {
    if (uart) {
        close(uart->fd);
        free(uart);
    }
}

c9_err_t c9_port_uart_write(c9_port_uart_t *uart, const uint8_t *data, size_t len) {
    if (uart->tx < 0) {
        return C9_ERR_NOSYS;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(uart->fd, data + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN) {
            struct pollfd p = {uart->fd, POLLOUT, 0};
            poll(&p, 1, 10);
            continue;
        }
        if (n < 0) {
            return C9_ERR_IO;
        }
        done += (size_t)n;
    }
    return C9_OK;
}

c9_err_t c9_port_uart_read(c9_port_uart_t *uart, uint8_t *data, size_t len, size_t *got) {
    *got = 0;
    if (uart->rx < 0) {
        return C9_ERR_NOSYS;
    }
    uint64_t deadline = c9_port_now_ns() + (uint64_t)uart->timeout_ms * 1000000u;
    while (*got < len) {
        uint64_t now = c9_port_now_ns();
        int wait_ms = now >= deadline ? 0 : (int)C9_MIN((deadline - now + 999999u) / 1000000u, (uint64_t)INT_MAX);
        struct pollfd p = {uart->fd, POLLIN, 0};
        int r = poll(&p, 1, wait_ms);
        if (r < 0) {
            return errno == EINTR ? C9_OK : C9_ERR_IO; /* a signal: give the runtime what came so far */
        }
        if (r == 0 || !(p.revents & POLLIN)) {
            /* Timed out; or the other side is not open (POLLHUP), which is a silent line. */
            if (r > 0 && wait_ms > 0) {
                c9_port_idle(C9_MIN((uint64_t)wait_ms, 10u) * 1000000u);
                continue;
            }
            return C9_OK;
        }
        ssize_t n = read(uart->fd, data + *got, len - *got);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n < 0 && errno == EIO) {
            continue; /* nobody has the other side open: nothing arrives */
        }
        if (n < 0) {
            return C9_ERR_IO;
        }
        *got += (size_t)n;
    }
    return C9_OK;
}

size_t c9_port_uart_in_waiting(c9_port_uart_t *uart) {
    int n = 0;
    struct pollfd p = {uart->fd, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) {
        return 0;
    }
    return ioctl(uart->fd, FIONREAD, &n) == 0 && n > 0 ? (size_t)n : 0;
}

void c9_port_uart_clear_rx(c9_port_uart_t *uart) {
    tcflush(uart->fd, TCIFLUSH);
}

c9_err_t c9_port_uart_set_baudrate(c9_port_uart_t *uart, uint32_t baudrate) {
    if (baudrate == 0) {
        return C9_ERR_INVAL;
    }
    uart->baudrate = baudrate; /* a pseudo-terminal moves bytes at any rate */
    return C9_OK;
}

uint32_t c9_port_uart_baudrate(const c9_port_uart_t *uart) {
    return uart->baudrate;
}

void c9_port_uart_set_timeout(c9_port_uart_t *uart, uint32_t timeout_ms) {
    uart->timeout_ms = timeout_ms;
}

const char *c9_host_uart_device(const c9_port_uart_t *uart) {
    return uart->device;
}

/* ---- USB CDC channels: the same pseudo-terminals ---------------------------------------------- */

struct c9_port_cdc {
    int fd;    /* pty master, non-blocking */
    int slave; /* held open: output waits for a client, out_waiting counts it */
    char device[64];
};

c9_err_t c9_port_cdc_open(unsigned index, const char *name, c9_port_cdc_t **out) {
    (void)index; /* one terminal per channel, whatever its interface number */
    c9_port_cdc_t *c = calloc(1, sizeof(*c));
    if (!c) {
        return C9_ERR_NOMEM;
    }
    c->fd = open_pty(c->device, sizeof c->device, &c->slave);
    if (c->fd < 0) {
        free(c);
        return C9_ERR_BUSY;
    }
    int fl = fcntl(c->fd, F_GETFL);
    if (fl >= 0) {
        fcntl(c->fd, F_SETFL, fl | O_NONBLOCK);
    }
    fprintf(stderr, "circuit9: %s on %s\n", name, c->device);
    fflush(stderr);
    *out = c;
    return C9_OK;
}

void c9_port_cdc_close(c9_port_cdc_t *cdc) {
    if (cdc) {
        if (cdc->slave >= 0) {
            close(cdc->slave);
        }
        close(cdc->fd);
        free(cdc);
    }
}

static bool wait_fd(int fd, short events, uint32_t wait_ms) {
    struct pollfd p = {fd, events, 0};
    int r = poll(&p, 1, (int)C9_MIN(wait_ms, (uint32_t)INT_MAX));
    return r > 0 && (p.revents & events);
}

c9_err_t c9_port_cdc_read(c9_port_cdc_t *cdc, uint8_t *data, size_t len, uint32_t wait_ms, size_t *got) {
    *got = 0;
    if (len == 0) {
        return C9_OK;
    }
    if (c9_port_cdc_in_waiting(cdc) == 0 && !wait_fd(cdc->fd, POLLIN, wait_ms)) {
        return C9_OK;
    }
    ssize_t n = read(cdc->fd, data, len);
    if (n < 0) {
        /* EAGAIN: nothing after all; EIO: no client (cannot happen while the slave is held). */
        return errno == EAGAIN || errno == EINTR || errno == EIO ? C9_OK : C9_ERR_IO;
    }
    *got = (size_t)n;
    return C9_OK;
}

c9_err_t c9_port_cdc_write(c9_port_cdc_t *cdc, const uint8_t *data, size_t len, uint32_t wait_ms, size_t *done) {
    *done = 0;
    while (*done < len) {
        ssize_t n = write(cdc->fd, data + *done, len - *done);
        if (n > 0) {
            *done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN) {
            return C9_ERR_IO;
        }
        /* The terminal's queue is full: the client has not read. Wait once for room. */
        if (wait_ms == 0 || !wait_fd(cdc->fd, POLLOUT, wait_ms)) {
            break;
        }
        wait_ms = 0;
    }
    return C9_OK;
}

size_t c9_port_cdc_in_waiting(c9_port_cdc_t *cdc) {
    int n = 0;
    return ioctl(cdc->fd, FIONREAD, &n) == 0 && n > 0 ? (size_t)n : 0;
}

size_t c9_port_cdc_out_waiting(c9_port_cdc_t *cdc) {
    int n = 0;
    return cdc->slave >= 0 && ioctl(cdc->slave, FIONREAD, &n) == 0 && n > 0 ? (size_t)n : 0;
}

void c9_port_cdc_clear_rx(c9_port_cdc_t *cdc) {
    tcflush(cdc->fd, TCIFLUSH);
}

void c9_port_cdc_clear_tx(c9_port_cdc_t *cdc) {
    if (cdc->slave >= 0) {
        tcflush(cdc->slave, TCIFLUSH);
    }
}

bool c9_port_cdc_connected(c9_port_cdc_t *cdc) {
    /* The board holds its end of the terminal itself, so a client cannot be told from none: the
     * channel counts as connected once it exists, as the console does. */
    return cdc->fd >= 0;
}

const char *c9_host_cdc_device(const c9_port_cdc_t *cdc) {
    return cdc->device;
}
