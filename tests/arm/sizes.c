/* Never run: compiled for a target so that the size of each core's main object, the memory a
 * program gives it, can be read from the symbol table (tests/arm/portability.py, `make size`). */
#include "circuit9/display.h"
#include "circuit9/fat.h"
#include "circuit9/heap.h"
#include "circuit9/http.h"
#include "circuit9/jpeg.h"
#include "circuit9/mqtt.h"
#include "circuit9/net.h"
#include "circuit9/sdcard.h"
#include "circuit9/usbh.h"

#define C9_SIZE_OF(name, type) char c9_sizeof_##name[sizeof(type)];

C9_SIZE_OF(display, c9_display_t)
C9_SIZE_OF(group, c9_group_t)
C9_SIZE_OF(tilegrid, c9_tilegrid_t)
C9_SIZE_OF(terminal, c9_terminal_t)
C9_SIZE_OF(bitmap, c9_bitmap_t)
C9_SIZE_OF(jpeg_work_compact, char[C9_JPEG_WORKSPACE_COMPACT])
C9_SIZE_OF(outheap, c9_outheap_t)
C9_SIZE_OF(gc, c9_gc_t)
C9_SIZE_OF(fat, c9_fat_t)
C9_SIZE_OF(sdspi, c9_sdspi_t)
C9_SIZE_OF(usbh, c9_usbh_t)
C9_SIZE_OF(connmgr, c9_net_connmgr_t)
C9_SIZE_OF(http_client, c9_http_client_t)
C9_SIZE_OF(mqtt, c9_mqtt_t)
