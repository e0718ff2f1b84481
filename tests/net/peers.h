/*
 * Real network peers for the tests and the benchmark: temporary directories, free loopback
 * ports, starting a program with its output in a file or a pipe, waiting for it to listen (or
 * print a line), stopping it. Header-only (static functions): each test program includes it.
 *
 * Waits are for events (a port accepting, a line printed, a process ending); their time
 * limits only guard against hangs.
 */
#ifndef C9_TESTS_NET_PEERS_H
#define C9_TESTS_NET_PEERS_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define PEER_GUARD_MS 20000 /* hang guard for peers to come up */

static inline long long peer_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static inline void peer_nap_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* The full path of program (searched in PATH, /usr/sbin and /sbin), or NULL. */
static inline const char *peer_find(const char *program) {
    static char found[512];
    const char *path = getenv("PATH");
    char dirs[2048];
    snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin:/usr/bin", path ? path : "");
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
        snprintf(found, sizeof found, "%s/%s", d, program);
        if (access(found, X_OK) == 0) {
            return found;
        }
    }
    return NULL;
}

static inline char *peer_tmpdir(void) {
    const char *base = getenv("TMPDIR");
    char *dir = malloc(512);
    snprintf(dir, 512, "%s/c9net.XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        free(dir);
        return NULL;
    }
    chmod(dir, 0755); /* daemons that drop privileges still read their files */
    return dir;
}

static inline int peer_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static inline void peer_rmtree(char *dir) {
    if (dir) {
        nftw(dir, peer_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
    }
}

/* A loopback TCP port nobody listens on right now (the kernel's pick). */
static inline int peer_free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &l) == 0) {
        port = ntohs(a.sin_port);
    }
    if (fd >= 0) {
        close(fd);
    }
    return port;
}

static inline void peer_write(const char *path, const char *fmt, ...) {
    FILE *f = fopen(path, "w");
    if (!f) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fclose(f);
}

static inline void peer_write_bytes(const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, len, f);
        fclose(f);
    }
}

/* The whole file, NUL-terminated (free it), or NULL. */
static inline char *peer_read(const char *path, size_t *len) {
    if (len) {
        *len = 0;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    size_t r;
    while ((r = fread(buf + n, 1, cap - n, f)) > 0) {
        n += r;
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
        }
    }
    fclose(f);
    buf[n] = 0;
    if (len) {
        *len = n;
    }
    return buf;
}

/* Runs a shell command; its exit status. */
static inline int peer_sh(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int r = system(cmd);
    return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

/* Starts argv with stdout and stderr into log (a path; NULL: /dev/null). With out_fd, stdout
 * goes to a pipe instead (non-blocking read end in *out_fd). stdin from in_path or /dev/null. */
static inline pid_t peer_spawn_io(char *const argv[], const char *log, const char *in_path, int *out_fd) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null", O_RDONLY, 0);
    int pipefd[2] = {-1, -1};
    if (out_fd) {
        if (pipe2(pipefd, O_CLOEXEC) != 0) {
            return -1;
        }
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    } else {
        posix_spawn_file_actions_addopen(&fa, 1, log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    }
    posix_spawn_file_actions_addopen(&fa, 2, log ? log : "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0644);
    pid_t pid = -1;
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
        pid = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    if (out_fd) {
        close(pipefd[1]);
        if (pid < 0) {
            close(pipefd[0]);
            *out_fd = -1;
        } else {
            fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
            *out_fd = pipefd[0];
        }
    }
    return pid;
}

static inline pid_t peer_spawn(char *const argv[], const char *log) {
    return peer_spawn_io(argv, log, NULL, NULL);
}

static inline bool peer_alive(pid_t pid) {
    int st;
    return pid > 0 && waitpid(pid, &st, WNOHANG) == 0;
}

/* Waits until 127.0.0.1:port accepts a connection (or the process ends, or the guard). */
static inline bool peer_wait_port(int port, pid_t pid, int guard_ms) {
    long long end = peer_now_ms() + guard_ms;
    int nap = 2;
    while (peer_now_ms() < end) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {
            .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        int r = connect(fd, (struct sockaddr *)&a, sizeof a);
        close(fd);
        if (r == 0) {
            return true;
        }
        if (!peer_alive(pid)) {
            return false;
        }
        peer_nap_ms(nap);
        nap = nap < 50 ? nap * 2 : 50;
    }
    return false;
}

/* Reads the pipe until a whole line containing needle arrives; the line goes to line (if
 * given). Keep the pipe open while the program runs: it may write more. */
static inline bool peer_wait_line(int fd, const char *needle, int guard_ms, char *line, size_t cap) {
    char buf[8192];
    size_t n = 0;
    long long end = peer_now_ms() + guard_ms;
    while (peer_now_ms() < end) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 100) <= 0) {
            continue;
        }
        ssize_t r = read(fd, buf + n, sizeof buf - 1 - n);
        if (r <= 0) {
            if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                return false;
            }
            continue;
        }
        n += (size_t)r;
        buf[n] = 0;
        char *hit = strstr(buf, needle);
        char *le = hit ? strchr(hit, '\n') : NULL;
        if (le) { /* only a whole line: the rest of it may still be on its way */
            char *ls = hit;
            while (ls > buf && ls[-1] != '\n') {
                ls--;
            }
            size_t ll = (size_t)(le - ls);
            if (line && cap) {
                snprintf(line, cap, "%.*s", (int)ll, ls);
            }
            return true;
        }
        if (n > sizeof buf / 2) { /* keep the tail only */
            memmove(buf, buf + n - 256, 256);
            n = 256;
        }
    }
    return false;
}

/* SIGTERM, then SIGKILL if it has not ended within the guard; reaps it. */
static inline void peer_stop(pid_t pid) {
    if (pid <= 0) {
        return;
    }
    kill(pid, SIGTERM);
    long long end = peer_now_ms() + 10000;
    int st;
    while (peer_now_ms() < end) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) {
            return;
        }
        peer_nap_ms(5);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
}

/* Waits for a process to end by itself; its exit status, or -1 after the guard (killed). */
static inline int peer_wait_exit(pid_t pid, int guard_ms) {
    long long end = peer_now_ms() + guard_ms;
    int st;
    while (peer_now_ms() < end) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid) {
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        peer_nap_ms(5);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* Makes the test CA and certificates with openssl (tests/net/make_certs.sh). */
static inline bool peer_make_certs(const char *source_dir, const char *dir) {
    return peer_sh("sh '%s/tests/net/make_certs.sh' '%s' >'%s/certs.log' 2>&1", source_dir, dir, dir) == 0;
}

#endif /* C9_TESTS_NET_PEERS_H */
