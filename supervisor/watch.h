#ifndef C9_SUP_WATCH_H
#define C9_SUP_WATCH_H
/* Watches root recursively and calls callback (from the watcher thread) after each batch of
 * writes that were not the program's own. Returns 0 or -1 (no auto-reload). */
int watch_start(const char *root, void (*callback)(void));
/* Writes to this host path come from the board itself (user code or the supervisor). */
void watch_note_self_write(const char *host_path);
/* Called at each reload: the next program's writes are noted afresh. */
void watch_forget_self_writes(void);
#endif
