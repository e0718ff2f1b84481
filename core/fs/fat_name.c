/* FAT names: UTF-8 and UTF-16, case folding, 8.3 short names and their generation. */
#include "fat_internal.h"

int32_t utf8_decode(const char *s, size_t len, size_t *used) {
    const uint8_t *p = (const uint8_t *)s;
    if (len == 0) {
        return -1;
    }
    uint32_t c = p[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *used = 1;
        return (int32_t)c;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, c &= 0x07;
    } else {
        return -1;
    }
    if (len < n) {
        return -1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            return -1;
        }
        c = c << 6 | (p[i] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        return -1;
    }
    *used = n;
    return (int32_t)c;
}

size_t utf8_encode(uint32_t cp, char *out, size_t room) {
    uint8_t *o = (uint8_t *)out;
    if (cp < 0x80) {
        if (room < 1) {
            return 0;
        }
        o[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        if (room < 2) {
            return 0;
        }
        o[0] = (uint8_t)(0xC0 | cp >> 6);
        o[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        if (room < 3) {
            return 0;
        }
        o[0] = (uint8_t)(0xE0 | cp >> 12);
        o[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (cp & 0x3F));
        return 3;
    }
    if (room < 4) {
        return 0;
    }
    o[0] = (uint8_t)(0xF0 | cp >> 18);
    o[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (cp & 0x3F));
    return 4;
}

static bool lfn_forbidden(uint32_t c) {
    return c < 0x20 || c == 0x7F || c == '"' || c == '*' || c == '/' || c == ':' || c == '<' || c == '>' || c == '?' ||
           c == '\\' || c == '|';
}

c9_err_t name_to_utf16(const char *name, size_t len, uint16_t *out, size_t *units) {
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t used;
        int32_t c = utf8_decode(name + i, len - i, &used);
        if (c < 0 || lfn_forbidden((uint32_t)c)) {
            return C9_ERR_FAT_BADNAME;
        }
        i += used;
        if (c >= 0x10000) {
            if (n + 2 > MAX_LFN) {
                return C9_ERR_FAT_NAMETOOLONG;
            }
            c -= 0x10000;
            out[n++] = (uint16_t)(0xD800 | (c >> 10));
            out[n++] = (uint16_t)(0xDC00 | (c & 0x3FF));
        } else {
            if (n + 1 > MAX_LFN) {
                return C9_ERR_FAT_NAMETOOLONG;
            }
            out[n++] = (uint16_t)c;
        }
    }
    // Windows and FatFs drop trailing dots and spaces: "name." and "name" are one file.
    while (n && (out[n - 1] == '.' || out[n - 1] == ' ')) {
        n--;
    }
    if (n == 0) {
        return C9_ERR_FAT_BADNAME;
    }
    *units = n;
    return C9_OK;
}

// Simple case folding for the scripts FAT names commonly use: ASCII, Latin-1, Latin Extended-A,
// Greek, Cyrillic, Armenian and full-width Latin. Other characters compare exactly.
uint16_t wupper(uint16_t c) {
    if (c < 0x80) {
        return c >= 'a' && c <= 'z' ? (uint16_t)(c - 32) : c;
    }
    if (c < 0x100) {
        if (c >= 0xE0 && c <= 0xFE && c != 0xF7) {
            return (uint16_t)(c - 32);
        }
        return c == 0xFF ? 0x178 : c == 0xB5 ? 0x39C : c;
    }
    if (c < 0x180) {
        if ((c <= 0x137 && c != 0x131) || (c >= 0x14A && c <= 0x177)) {
            return c & 1 ? (uint16_t)(c - 1) : c;
        }
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
            return c & 1 ? c : (uint16_t)(c - 1);
        }
        return c == 0x131 ? 'I' : c == 0x17F ? 'S' : c;
    }
    if (c >= 0x3AC && c <= 0x3CE) {
        if (c == 0x3AC) {
            return 0x386;
        }
        if (c <= 0x3AF) {
            return (uint16_t)(c - 37);
        }
        if (c == 0x3C2) {
            return 0x3A3;
        }
        if (c >= 0x3B1 && c <= 0x3CB) {
            return (uint16_t)(c - 32);
        }
        if (c == 0x3CC) {
            return 0x38C;
        }
        if (c >= 0x3CD) {
            return (uint16_t)(c - 63);
        }
        return c;
    }
    if (c >= 0x430 && c <= 0x44F) {
        return (uint16_t)(c - 32);
    }
    if (c >= 0x450 && c <= 0x45F) {
        return (uint16_t)(c - 80);
    }
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF)) {
        return c & 1 ? (uint16_t)(c - 1) : c;
    }
    if (c >= 0x561 && c <= 0x586) {
        return (uint16_t)(c - 48);
    }
    if (c >= 0xFF41 && c <= 0xFF5A) {
        return (uint16_t)(c - 32);
    }
    return c;
}

c9_err_t utf16_to_utf8(const uint16_t *in, size_t units, char *out, size_t size) {
    size_t o = 0;
    for (size_t i = 0; i < units; i++) {
        uint32_t c = in[i];
        if (c >= 0xD800 && c <= 0xDBFF && i + 1 < units && in[i + 1] >= 0xDC00 && in[i + 1] <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (in[i + 1] - 0xDC00);
            i++;
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        } else if (c == 0) {
            c = 0xFFFD; // a NUL inside a stored name cannot be handed on in a C string
        }
        size_t n = utf8_encode(c, out + o, size > o ? size - o - 1 : 0);
        if (n == 0) {
            if (size) {
                out[size - 1] = 0;
            }
            return C9_ERR_NOMEM;
        }
        o += n;
    }
    if (o >= size) {
        return C9_ERR_NOMEM;
    }
    out[o] = 0;
    return C9_OK;
}

// Characters a short name may hold besides A-Z and 0-9 (FAT specification).
static bool sfn_symbol(uint16_t c) {
    return c == '$' || c == '%' || c == '\'' || c == '-' || c == '_' || c == '@' || c == '~' || c == '`' || c == '!' ||
           c == '(' || c == ')' || c == '{' || c == '}' || c == '^' || c == '#' || c == '&';
}

bool sfn_fits(const uint16_t *name, size_t units, uint8_t sfn[11], uint8_t *ntres) {
    size_t dot = units;
    for (size_t i = 0; i < units; i++) {
        if (name[i] == '.') {
            if (dot != units || i == 0) {
                return false;
            }
            dot = i;
        }
    }
    size_t body = dot, ext = dot == units ? 0 : units - dot - 1;
    if (body == 0 || body > 8 || ext > 3) {
        return false;
    }
    memset(sfn, ' ', 11);
    uint8_t flags = 0;
    for (int part = 0; part < 2; part++) {
        size_t from = part ? dot + 1 : 0, n = part ? ext : body;
        bool upper = false, lower = false;
        for (size_t i = 0; i < n; i++) {
            uint16_t c = name[from + i];
            if (c >= 'a' && c <= 'z') {
                lower = true;
                c = (uint16_t)(c - 32);
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (!(c >= '0' && c <= '9') && !sfn_symbol(c)) {
                return false;
            }
            sfn[(part ? 8 : 0) + i] = (uint8_t)c;
        }
        if (upper && lower) {
            return false;
        }
        if (lower) {
            flags |= part ? NTRES_LOWER_EXT : NTRES_LOWER_BODY;
        }
    }
    *ntres = flags;
    return true;
}

uint16_t wlower(uint16_t c) {
    if (c < 0x80) {
        return c >= 'A' && c <= 'Z' ? (uint16_t)(c + 32) : c;
    }
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) {
        return (uint16_t)(c + 32);
    }
    if ((c >= 0x391 && c <= 0x3AB && c != 0x3A2) || (c >= 0x410 && c <= 0x42F)) {
        return (uint16_t)(c + 32);
    }
    if (c >= 0x400 && c <= 0x40F) {
        return (uint16_t)(c + 80);
    }
    if (c >= 0x100 && c < 0x180 && wupper((uint16_t)(c + 1)) == c) {
        return (uint16_t)(c + 1); // Latin Extended-A pairs
    }
    return c;
}

uint8_t unicode_to_cp437(uint32_t c) {
    if (c < 0x80) {
        return (uint8_t)c;
    }
    for (unsigned b = 0x80; b < 0x100; b++) {
        if (cp437_to_unicode((uint8_t)b) == c) {
            return (uint8_t)b;
        }
    }
    return 0;
}

// A character of a short name: upper case, code page 437 as CircuitPython's FatFs uses it, '_'
// for what a short name cannot hold.
static uint8_t sfn_char(uint16_t c, bool *lossy) {
    if (c >= 'a' && c <= 'z') {
        return (uint8_t)(c - 32);
    }
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || sfn_symbol(c)) {
        return (uint8_t)c;
    }
    if (c >= 0x80) {
        uint8_t b = unicode_to_cp437(wupper(c));
        if (b >= 0x80) {
            return b;
        }
    }
    *lossy = true; // + , ; = [ ] and characters code page 437 lacks
    return '_';
}

bool sfn_lookup_form(const uint16_t *name, size_t units, uint8_t sfn[11]) {
    size_t dot = units;
    for (size_t i = 0; i < units; i++) {
        if (name[i] == '.') {
            if (dot != units || i == 0) {
                return false;
            }
            dot = i;
        }
    }
    size_t body = dot, ext = dot == units ? 0 : units - dot - 1;
    if (body == 0 || body > 8 || ext > 3) {
        return false;
    }
    memset(sfn, ' ', 11);
    for (size_t i = 0; i < units; i++) {
        if (i == dot) {
            continue;
        }
        bool lossy = false;
        uint8_t b = sfn_char(name[i], &lossy);
        if (lossy) {
            return false;
        }
        sfn[i < dot ? i : 8 + (i - dot - 1)] = b;
    }
    if (sfn[0] == DELETED) {
        sfn[0] = 0x05;
    }
    return true;
}

void sfn_base(const uint16_t *name, size_t units, uint8_t sfn[11], bool *lossy) {
    memset(sfn, ' ', 11);
    *lossy = false;
    size_t s = 0;
    while (s < units && (name[s] == '.' || name[s] == ' ')) {
        s++;
        *lossy = true;
    }
    size_t dot = units;
    for (size_t i = units; i > s; i--) {
        if (name[i - 1] == '.') {
            dot = i - 1;
            break;
        }
    }
    size_t n = 0;
    for (size_t i = s; i < dot; i++) {
        if (name[i] == ' ' || name[i] == '.') {
            *lossy = true;
            continue;
        }
        if (n == 8) {
            *lossy = true;
            break;
        }
        sfn[n++] = sfn_char(name[i], lossy);
    }
    if (n == 0) {
        sfn[0] = '_';
        *lossy = true;
    }
    if (sfn[0] == DELETED) {
        sfn[0] = 0x05; // 0xE5 would read as a deleted entry
    }
    n = 0;
    for (size_t i = dot + 1; i < units; i++) {
        if (name[i] == ' ') {
            *lossy = true;
            continue;
        }
        if (n == 3) {
            *lossy = true;
            break;
        }
        sfn[8 + n++] = sfn_char(name[i], lossy);
    }
}

void sfn_number(uint8_t sfn[11], const uint8_t base[11], const uint16_t *name, size_t units, unsigned n) {
    memcpy(sfn, base, 11);
    char tail[12];
    size_t t = sizeof tail;
    unsigned seq = n <= 4 ? n : n - 4;
    do {
        tail[--t] = (char)('0' + seq % 10);
        seq /= 10;
    } while (seq && t > 1);
    tail[--t] = '~';
    size_t tail_len = sizeof tail - t;
    size_t body = 0;
    while (body < 8 && base[body] != ' ') {
        body++;
    }
    if (n > 4) {
        // Windows' scheme past ~4: two characters of the name, four hex digits of a hash of the
        // long name, then the tail, so that many similar names do not each need a long search.
        uint16_t h = 0;
        for (size_t i = 0; i < units; i++) {
            h = (uint16_t)(h * 37u + name[i]);
        }
        static const char hex[] = "0123456789ABCDEF";
        body = body < 2 ? body : 2;
        for (int i = 0; i < 4; i++) {
            sfn[body++] = (uint8_t)hex[(h >> (12 - 4 * i)) & 15];
        }
    }
    if (body + tail_len > 8) {
        body = 8 - tail_len;
    }
    for (size_t i = body; i < 8; i++) {
        sfn[i] = ' ';
    }
    memcpy(sfn + body, tail + t, tail_len);
}

uint8_t sfn_checksum(const uint8_t sfn[11]) {
    uint8_t sum = 0;
    for (int i = 0; i < 11; i++) {
        sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + sfn[i]);
    }
    return sum;
}

static const uint16_t cp437_high[128] = {
    0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE,
    0x00EC, 0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6,
    0x00DC, 0x00A2, 0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA,
    0x00BA, 0x00BF, 0x2310, 0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502,
    0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514,
    0x2534, 0x252C, 0x251C, 0x2500, 0x253C, 0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550,
    0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C,
    0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF, 0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4,
    0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229, 0x2261, 0x00B1, 0x2265, 0x2264, 0x2320,
    0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2, 0x25A0, 0x00A0,
};

uint16_t cp437_to_unicode(uint8_t b) {
    return b < 0x80 ? b : cp437_high[b - 0x80];
}

size_t sfn_to_text(const uint8_t *e, bool apply_case, char *out, size_t size) {
    size_t o = 0;
    uint8_t nt = apply_case ? e[DIR_NTRES] : 0;
    for (int part = 0; part < 2; part++) {
        int from = part ? 8 : 0, n = part ? 3 : 8;
        while (n > 0 && e[from + n - 1] == ' ') {
            n--;
        }
        if (part && n) {
            if (o + 1 >= size) {
                break;
            }
            out[o++] = '.';
        }
        for (int i = 0; i < n; i++) {
            uint8_t b = e[from + i];
            if (!part && i == 0 && b == 0x05) {
                b = 0xE5; // 0xE5 as a first character is stored as 0x05 (0xE5 marks deleted)
            }
            uint16_t c = cp437_to_unicode(b);
            if (nt & (part ? NTRES_LOWER_EXT : NTRES_LOWER_BODY)) {
                c = wlower(c);
            }
            size_t w = utf8_encode(c, out + o, size > o + 1 ? size - o - 1 : 0);
            if (!w) {
                break;
            }
            o += w;
        }
    }
    if (size) {
        out[o < size ? o : size - 1] = 0;
    }
    return o;
}
