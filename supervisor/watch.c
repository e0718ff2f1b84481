/* Auto-reload's file watcher: inotify on the CIRCUITPY folder and its subfolders. A write is
 * what USB mass storage would have delivered, except the program's own writes and the
 * supervisor's boot_out.txt, which never trigger a reload on a board either. */
#define _GNU_SOURCE
#include "watch.h"

#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_WATCHES 256
#define MAX_SELF 32

static int fd = -1;
static struct {
    int wd;
    char path[PATH_MAX];
} watches[MAX_WATCHES];
static int nwatches;
static void (*on_write)(void);
static pthread_mutex_t self_lock = PTHREAD_MUTEX_INITIALIZER;
static char self_paths[MAX_SELF][PATH_MAX];
static int nself;

static void add_tree(const char *dir, int depth) {
    if (nwatches >= MAX_WATCHES || depth > 8) {
        return;
    }
    int wd =
        inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_MODIFY);
    if (wd < 0) {
        return;
    }
    watches[nwatches].wd = wd;
    snprintf(watches[nwatches].path, PATH_MAX, "%s", dir);
    nwatches++;
    DIR *d = opendir(dir);
    if (!d) {
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) {
            continue;
        }
        char sub[PATH_MAX];
        struct stat st;
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) < sizeof sub && stat(sub, &st) == 0 &&
            S_ISDIR(st.st_mode)) {
            add_tree(sub, depth + 1);
        }
    }
    closedir(d);
}

static const char *watch_dir(int wd) {
    for (int i = 0; i < nwatches; i++) {
        if (watches[i].wd == wd) {
            return watches[i].path;
        }
    }
    return NULL;
}

static bool is_self(const char *path) {
    pthread_mutex_lock(&self_lock);
    bool found = false;
    for (int i = 0; i < nself && !found; i++) {
        found = !strcmp(self_paths[i], path);
    }
    pthread_mutex_unlock(&self_lock);
    return found;
}

void watch_note_self_write(const char *host_path) {
    pthread_mutex_lock(&self_lock);
    bool found = false;
    for (int i = 0; i < nself && !found; i++) {
        found = !strcmp(self_paths[i], host_path);
    }
    if (!found && nself < MAX_SELF) {
        snprintf(self_paths[nself++], PATH_MAX, "%s", host_path);
    }
    pthread_mutex_unlock(&self_lock);
}

void watch_forget_self_writes(void) {
    pthread_mutex_lock(&self_lock);
    nself = 0;
    pthread_mutex_unlock(&self_lock);
}

static void *watch_main(void *arg) {
    (void)arg;
    char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) {
            struct timespec ts = {0, 100000000};
            nanosleep(&ts, NULL);
            continue;
        }
        bool changed = false;
        for (char *p = buf; p < buf + n;) {
            struct inotify_event *ev = (struct inotify_event *)p;
            p += sizeof *ev + ev->len;
            const char *dir = watch_dir(ev->wd);
            if (!dir) {
                continue;
            }
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, ev->len ? ev->name : "");
            if ((ev->mask & IN_CREATE) && (ev->mask & IN_ISDIR)) {
                add_tree(path, 1);
            }
            if (is_self(path)) {
                continue;
            }
            changed = true;
        }
        if (changed && on_write) {
            on_write();
        }
    }
    return NULL;
}

int watch_start(const char *root, void (*callback)(void)) {
    fd = inotify_init1(IN_CLOEXEC);
    if (fd < 0) {
        perror("circuit9: inotify (auto-reload off)");
        return -1;
    }
    on_write = callback;
    add_tree(root, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, watch_main, NULL) != 0) {
        return -1;
    }
    pthread_detach(t);
    return 0;
}
