/* charset.c: byte-order marks, unmarked UTF-16/32, charset aliases, iconv to UTF-8
 * (see charset.h). */
#include "common/charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/util.h"

const char *charset_bom(const char *data, size_t len, size_t *bom_len)
{
    const unsigned char *u = (const unsigned char *)data;
    static const struct {
        unsigned char bytes[4];
        size_t len;
        const char *charset;
    } boms[] = {/* UTF-32LE before UTF-16LE: FF FE 00 00 starts with FF FE */
                {{0x00, 0x00, 0xFE, 0xFF}, 4, "UTF-32BE"},
                {{0xFF, 0xFE, 0x00, 0x00}, 4, "UTF-32LE"},
                {{0xEF, 0xBB, 0xBF}, 3, "UTF-8"},
                {{0xFE, 0xFF}, 2, "UTF-16BE"},
                {{0xFF, 0xFE}, 2, "UTF-16LE"}};
    for (size_t i = 0; i < ARRAY_LEN(boms); i++)
        if (len >= boms[i].len && memcmp(u, boms[i].bytes, boms[i].len) == 0) {
            *bom_len = boms[i].len;
            return boms[i].charset;
        }
    *bom_len = 0;
    return NULL;
}

const char *charset_sniff_wide(const char *data, size_t len)
{
    const unsigned char *u = (const unsigned char *)data;
    if (len < 4)
        return NULL;
    if (u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] != 0)
        return "UTF-32BE";
    if (u[0] != 0 && u[1] == 0 && u[2] == 0 && u[3] == 0)
        return "UTF-32LE";
    if (u[0] == 0 && u[1] != 0 && u[2] == 0 && u[3] != 0)
        return "UTF-16BE";
    if (u[0] != 0 && u[1] == 0 && u[2] != 0 && u[3] == 0)
        return "UTF-16LE";
    return NULL;
}

const char *charset_alias(const char *name)
{
    static const struct {
        const char *label, *charset;
    } aliases[] = {
        /* read as windows-1252 by browsers (WHATWG Encoding, "windows-1252" labels) */
        {"ascii", "windows-1252"},
        {"us-ascii", "windows-1252"},
        {"ansi_x3.4-1968", "windows-1252"},
        {"iso-8859-1", "windows-1252"},
        {"iso8859-1", "windows-1252"},
        {"iso_8859-1", "windows-1252"},
        {"iso88591", "windows-1252"},
        {"iso-ir-100", "windows-1252"},
        {"latin1", "windows-1252"},
        {"latin-1", "windows-1252"},
        {"l1", "windows-1252"},
        {"cp819", "windows-1252"},
        {"ibm819", "windows-1252"},
        {"csisolatin1", "windows-1252"},
        {"x-cp1252", "windows-1252"},
        /* the same superset rule for Latin-5 and Thai */
        {"iso-8859-9", "windows-1254"},
        {"iso8859-9", "windows-1254"},
        {"latin5", "windows-1254"},
        {"tis-620", "windows-874"},
        {"iso-8859-11", "windows-874"},
        /* spellings iconv does not know */
        {"u8", "UTF-8"},
        {"utf8", "UTF-8"},
        {"utf_8", "UTF-8"},
        {"unicode-1-1-utf-8", "UTF-8"},
        {"u16", "UTF-16"},
        {"utf16", "UTF-16"},
        {"utf_16", "UTF-16"},
        {"unicode", "UTF-16"},
        {"utf_16le", "UTF-16LE"},
        {"utf_16be", "UTF-16BE"},
        {"u32", "UTF-32"},
        {"utf32", "UTF-32"},
        {"utf_32", "UTF-32"},
        {"x-sjis", "Shift_JIS"},
        {"ms_kanji", "Shift_JIS"},
        {"x-euc-jp", "EUC-JP"},
        {"ks_c_5601-1987", "CP949"},
        {"euc-kr", "CP949"},
        {"x-mac-roman", "MACINTOSH"},
        {"gb2312", "GB18030"},
        {"gbk", "GB18030"},
        {"x-gbk", "GB18030"},
        {"big5", "BIG5-HKSCS"},
        {"x-x-big5", "BIG5-HKSCS"},
    };
    for (size_t i = 0; name && i < ARRAY_LEN(aliases); i++)
        if (strcasecmp(name, aliases[i].label) == 0)
            return aliases[i].charset;
    return NULL;
}

int charset_is_wide(const char *name)
{
    const char *canon = charset_alias(name);
    if (canon)
        name = canon;
    return name && (strncasecmp(name, "UTF-16", 6) == 0 || strncasecmp(name, "UTF-32", 6) == 0 ||
                    strncasecmp(name, "UCS-2", 5) == 0 || strncasecmp(name, "UCS-4", 5) == 0);
}

char *charset_to_utf8(const char *data, size_t len, const char *charset, size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", charset);
    if (cd == (iconv_t)-1)
        return NULL;
    size_t bom_len;
    const char *bom = charset_bom(data, len, &bom_len);
    if (bom && (strncasecmp(charset, bom, 6) == 0 || strcasecmp(charset, "UTF-8") == 0)) {
        data += bom_len;
        len -= bom_len;
    }
    struct buf out;
    buf_init(&out, 0);
    char *in = (char *)data;
    size_t in_left = len;
    char chunk[16384];
    while (in_left > 0) {
        char *o = chunk;
        size_t o_left = sizeof chunk;
        size_t rc = iconv(cd, &in, &in_left, &o, &o_left);
        buf_append(&out, chunk, sizeof chunk - o_left);
        if (rc == (size_t)-1 && errno != E2BIG) { /* EILSEQ, or EINVAL at the end */
            buf_append_str(&out, "\xEF\xBF\xBD");
            in++;
            in_left--;
            iconv(cd, NULL, NULL, NULL, NULL);
        }
    }
    char *o = chunk;
    size_t o_left = sizeof chunk;
    iconv(cd, NULL, NULL, &o, &o_left);
    buf_append(&out, chunk, sizeof chunk - o_left);
    iconv_close(cd);
    *out_len = out.len;
    return buf_steal(&out);
}
