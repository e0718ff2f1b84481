/*
 * circuit9 build configuration.
 *
 * Every option has a default here behind #ifndef, so a firmware project overrides it with
 * -D or by providing "c9_config.h" on the include path (picked up when C9_HAVE_CONFIG_H
 * is defined). Options are tested with #if, and the tree builds with -Wundef, so a
 * misspelt option is a compile error rather than a silent default.
 */
#ifndef CIRCUIT9_CONFIG_H
#define CIRCUIT9_CONFIG_H

#ifdef C9_HAVE_CONFIG_H
#include "c9_config.h"
#endif

/* 1: no libc malloc fallback; every allocation goes through a caller's c9_allocator_t. */
#ifndef C9_NO_MALLOC
#define C9_NO_MALLOC 0
#endif

/* 1: use compiler vector extensions on hot paths where the compiler has them. The portable
 * path is always compiled and tested as well. */
#ifndef C9_USE_VECTOR_EXT
#define C9_USE_VECTOR_EXT 1
#endif

/* Largest Bitmap dimension, as CircuitPython limits it. */
#ifndef C9_BITMAP_MAX_DIM
#define C9_BITMAP_MAX_DIM 32767
#endif

/* ---- FAT (fat.h) ---- */

/* Sectors of block cache in each c9_fat_t (512 bytes each). At least 2: a FAT12 entry can span
 * two sectors, whose write order the core chooses. More sectors mean fewer re-reads when FAT,
 * directory and data accesses alternate. */
#ifndef C9_FAT_CACHE_SECTORS
#define C9_FAT_CACHE_SECTORS 4
#endif
/* Bytes for a name in c9_fat_info_t, NUL included. A long name is at most 255 UTF-16 units, at
 * most 765 bytes of UTF-8. With a smaller buffer, entries whose long name does not fit are listed
 * under their short name (as FatFs does). */
#ifndef C9_FAT_NAME_BUF
#define C9_FAT_NAME_BUF 766
#endif
/* Directory depth c9_fat_check() descends to; deeper directories give C9_ERR_FAT_DIR. */
#ifndef C9_FAT_CHECK_DEPTH
#define C9_FAT_CHECK_DEPTH 32
#endif

/* Networking (net.h, http.h, mqtt.h). Key fields of the connection manager are stored in its
 * slots, so these bound the host name, protocol and session id a key may have. */
#ifndef C9_NET_HOST_MAX
#define C9_NET_HOST_MAX 253
#endif
#ifndef C9_NET_PROTO_MAX
#define C9_NET_PROTO_MAX 15
#endif
#ifndef C9_NET_SESSION_MAX
#define C9_NET_SESSION_MAX 31
#endif
/* Resolved addresses a connection attempt tries in turn. */
#ifndef C9_NET_MAX_ADDRS
#define C9_NET_MAX_ADDRS 4
#endif
/* Interim (1xx) responses the HTTP client skips before a final one. */
#ifndef C9_HTTP_MAX_INTERIM
#define C9_HTTP_MAX_INTERIM 8
#endif
/* Incoming QoS 2 messages the MQTT client can hold between PUBREC and PUBREL. */
#ifndef C9_MQTT_QOS2_INBOUND_MAX
#define C9_MQTT_QOS2_INBOUND_MAX 8
#endif

#endif /* CIRCUIT9_CONFIG_H */
