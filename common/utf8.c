/* utf8.c: UTF-8 validation and repair (RFC 3629: no overlongs, no surrogates, max U+10FFFF). */
#include "common/utf8.h"

#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/util.h"

/* Length of the valid sequence at s, or 0 when it is not one. */
static size_t sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned min;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

bool utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint64_t eight;
        if (len - i >= sizeof eight) { /* ASCII eight bytes at a time (most of most pages) */
            memcpy(&eight, p + i, sizeof eight);
            if (!(eight & UINT64_C(0x8080808080808080))) {
                i += sizeof eight;
                continue;
            }
        }
        size_t n = sequence_length(p + i, len - i);
        if (!n)
            return false;
        i += n;
    }
    return true;
}

char *utf8_repair(const char *s)
{
    if (!s)
        return NULL;
    size_t len = strlen(s);
    struct buf out;
    buf_init(&out, 0);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t n = sequence_length(p + i, len - i);
        if (n) {
            buf_append(&out, p + i, n);
            i += n;
        } else {
            buf_append_str(&out, "\xEF\xBF\xBD");
            i++;
        }
    }
    return buf_steal(&out);
}

json_t *utf8_json_string(const char *s)
{
    if (!s)
        return json_null();
    size_t len = strlen(s);
    if (utf8_valid(s, len))
        return json_stringn(s, len);
    char *fixed = utf8_repair(s);
    json_t *j = json_string(fixed);
    free(fixed);
    return j;
}
