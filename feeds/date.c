/* date.c: feed and page dates (RFC 822 and its web variants, ISO 8601 / RFC 3339,
 * asctime) to UTC epoch seconds, with calendar arithmetic of our own (no TZ). */
#include "feeds/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void date_format_iso(int64_t epoch, char out[DATE_ISO_LEN])
{
    int64_t days = epoch >= 0 ? epoch / 86400 : -((-epoch + 86399) / 86400);
    int64_t secs = epoch - days * 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = y < 0 ? 0 : 9999;
    char text[64]; /* wide enough for any int, so the compiler can see nothing is cut */
    snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, m & 15, d & 31,
             (int)(secs / 3600) % 24, (int)(secs / 60 % 60), (int)(secs % 60));
    memcpy(out, text, DATE_ISO_LEN - 1);
    out[DATE_ISO_LEN - 1] = '\0';
}

static bool valid_fields(int64_t y, int mo, int d, int h, int mi, int s)
{
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return y >= 1 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= month_days[mo - 1] &&
           h >= 0 && h <= 24 && mi >= 0 && mi <= 59 && s >= 0 && s <= 60;
}

static int64_t to_epoch(int64_t y, int mo, int d, int h, int mi, int s, int offset_minutes)
{
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
}

static int month_index(const char *p)
{
    static const char *const names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};
    for (int i = 0; i < 12; i++)
        if (strncasecmp(p, names[i], 3) == 0)
            return i + 1;
    return 0;
}

/* Reads up to max digits; returns how many were read. */
static int read_int(const char **p, int max, int *out)
{
    int n = 0, v = 0;
    while (n < max && isdigit((unsigned char)**p)) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    *out = v;
    return n;
}

static void skip_space(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == ',')
        (*p)++;
}

/* True when only spaces, or a parenthesised comment like "(EST)", are left. */
static bool only_trailing_comment(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '(') {
        const char *close = strchr(p, ')');
        if (!close)
            return false;
        p = close + 1;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    return *p == '\0';
}

/* Zone: Z, UT, GMT, UTC, named zones, military letters, +hhmm, +hh:mm, GMT+2; nothing else
 * may follow it. Returns false if unknown. */
static bool parse_zone(const char *p, int *offset)
{
    static const struct {
        const char *name;
        int minutes;
    } zones[] = {{"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},      {"EST", -300},
                 {"EDT", -240}, {"CST", -360}, {"CDT", -300}, {"MST", -420}, {"MDT", -360},
                 {"PST", -480}, {"PDT", -420}, {"BST", 60},   {"CET", 60},   {"CEST", 120},
                 {"IST", 330},  {"PKT", 300},  {"JST", 540},  {"KST", 540},  {"AST", -240},
                 {"EET", 120},  {"EEST", 180}, {"MSK", 180},  {"AEST", 600}, {"AEDT", 660},
                 {"AT", -240},  {"ET", -300},  {"CT", -360},  {"MT", -420},  {"PT", -480}};
    skip_space(&p);
    *offset = 0;
    if (!*p)
        return true; /* no zone: UTC */
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int hh, mm = 0;
        int n = read_int(&p, 2, &hh);
        if (n == 0)
            return false;
        if (*p == ':')
            p++;
        if (isdigit((unsigned char)*p) && read_int(&p, 2, &mm) != 2)
            return false;
        *offset = sign * (hh * 60 + mm);
        return hh <= 14 && mm < 60 && only_trailing_comment(p);
    }
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        size_t len = strlen(zones[i].name);
        if (strncasecmp(p, zones[i].name, len) == 0 && !isalpha((unsigned char)p[len])) {
            *offset = zones[i].minutes;
            const char *rest = p + len;
            if (*rest == '+' || *rest == '-') { /* "GMT+2" */
                int extra;
                if (!parse_zone(rest, &extra))
                    return false;
                *offset += extra;
                return true;
            }
            return only_trailing_comment(rest);
        }
    }
    if (isalpha((unsigned char)p[0]) && !isalpha((unsigned char)p[1])) /* military letter */
        return only_trailing_comment(p + 1);
    return false;
}

/* Time "hh:mm[:ss][.fff]". */
static bool parse_time(const char **p, int *h, int *mi, int *s)
{
    *s = 0;
    if (read_int(p, 2, h) == 0 || **p != ':')
        return false;
    (*p)++;
    if (read_int(p, 2, mi) != 2)
        return false;
    if (**p == ':') {
        (*p)++;
        if (read_int(p, 2, s) == 0)
            return false;
        if (**p == '.' || **p == ',') {
            (*p)++;
            while (isdigit((unsigned char)**p))
                (*p)++;
        }
    }
    return true;
}

static int64_t full_year(int y, int digits)
{
    if (digits <= 2)
        return y < 50 ? 2000 + y : 1900 + y;
    if (digits == 3)
        return 1900 + y;
    return y;
}

/* "Mon, 02 Jan 2006 15:04:05 -0700" and its variants; also "02 Jan 2006". */
static bool parse_rfc822(const char *text, int64_t *epoch)
{
    const char *p = text;
    skip_space(&p);
    if (isalpha((unsigned char)*p)) { /* day name, any case, any length */
        while (isalpha((unsigned char)*p) || *p == '.')
            p++;
        skip_space(&p);
    }
    int d, y, h = 0, mi = 0, s = 0, mo;
    if (read_int(&p, 2, &d) == 0)
        return false;
    while (*p == ' ' || *p == '-')
        p++;
    mo = month_index(p);
    if (!mo)
        return false;
    while (isalpha((unsigned char)*p) || *p == '.')
        p++;
    while (*p == ' ' || *p == '-' || *p == ',')
        p++;
    int digits = read_int(&p, 4, &y);
    if (digits == 0)
        return false;
    skip_space(&p);
    if (isdigit((unsigned char)*p) && !parse_time(&p, &h, &mi, &s))
        return false;
    int offset;
    if (!parse_zone(p, &offset))
        return false;
    int64_t year = full_year(y, digits);
    if (!valid_fields(year, mo, d, h, mi, s))
        return false;
    *epoch = to_epoch(year, mo, d, h, mi, s, offset);
    return true;
}

/* asctime: "Sun Nov  6 08:49:37 1994". */
static bool parse_asctime(const char *text, int64_t *epoch)
{
    const char *p = text;
    skip_space(&p);
    while (isalpha((unsigned char)*p))
        p++;
    skip_space(&p);
    int mo = month_index(p);
    if (!mo)
        return false;
    while (isalpha((unsigned char)*p))
        p++;
    skip_space(&p);
    int d, h, mi, s, y;
    if (read_int(&p, 2, &d) == 0)
        return false;
    skip_space(&p);
    if (!parse_time(&p, &h, &mi, &s))
        return false;
    skip_space(&p);
    int offset = 0;
    if (!isdigit((unsigned char)*p)) { /* a zone before the year */
        const char *z = p;
        while (*p && *p != ' ')
            p++;
        char zone[16];
        snprintf(zone, sizeof zone, "%.*s", (int)(p - z), z);
        if (!parse_zone(zone, &offset))
            return false;
        skip_space(&p);
    }
    if (read_int(&p, 4, &y) != 4 || !valid_fields(y, mo, d, h, mi, s))
        return false;
    skip_space(&p);
    if (*p)
        return false;
    *epoch = to_epoch(y, mo, d, h, mi, s, offset);
    return true;
}

/* ISO 8601 / RFC 3339 / W3C-DTF: "2003-12-13T18:30:02Z", "2003-12-13", "20031213T183002+0100",
 * two-digit years ("03-12-31") and ordinal dates ("2003-335", "2003335", "03335"). */
static bool parse_iso8601(const char *text, int64_t *epoch)
{
    const char *p = text;
    skip_space(&p);
    int y, mo = 1, d = 1, h = 0, mi = 0, s = 0;
    int ndigits = 0;
    while (isdigit((unsigned char)p[ndigits]))
        ndigits++;
    int64_t year;
    int64_t ordinal = -1;
    if (ndigits == 5 || ndigits == 7) { /* YYDDD or YYYYDDD */
        int yd = ndigits == 5 ? 2 : 4;
        read_int(&p, yd, &y);
        int day;
        read_int(&p, 3, &day);
        year = full_year(y, yd);
        ordinal = day;
    } else if (ndigits == 2 && p[2] == '-' && isdigit((unsigned char)p[3])) { /* YY-MM-DD */
        read_int(&p, 2, &y);
        year = full_year(y, 2);
        p++;
        if (read_int(&p, 2, &mo) != 2 || *p != '-')
            return false;
        p++;
        if (read_int(&p, 2, &d) != 2)
            return false;
    } else {
        if (read_int(&p, 4, &y) != 4)
            return false;
        year = y;
        bool compact = isdigit((unsigned char)*p);
        if (*p == '-' || compact) {
            if (!compact)
                p++;
            int n = 0;
            while (isdigit((unsigned char)p[n]))
                n++;
            if (!compact && n == 3 && (p[3] == '\0' || p[3] == 'T' || p[3] == ' ')) {
                int day;
                read_int(&p, 3, &day);
                ordinal = day;
            } else {
                if (read_int(&p, 2, &mo) != 2)
                    return false;
                if (*p == '-' || (compact && isdigit((unsigned char)*p))) {
                    if (!compact)
                        p++;
                    if (read_int(&p, 2, &d) != 2)
                        return false;
                }
            }
        }
    }
    if (ordinal >= 0) {
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (ordinal < 1 || ordinal > (leap ? 366 : 365))
            return false;
        int64_t days = days_from_civil(year, 1, 1) + ordinal - 1;
        int64_t yy;
        civil_from_days(days, &yy, &mo, &d);
    }
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (isdigit((unsigned char)p[0]) && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
            read_int(&p, 2, &h);
            read_int(&p, 2, &mi);
            read_int(&p, 2, &s);
        } else if (!parse_time(&p, &h, &mi, &s)) {
            return false;
        }
    }
    int offset;
    if (!parse_zone(p, &offset))
        return false;
    if (!valid_fields(year, mo, d, h, mi, s))
        return false;
    *epoch = to_epoch(year, mo, d, h, mi, s, offset);
    return true;
}

/* "Fri, 2006/09/15 08:19:53 EDT" (Perforce) and "Thu Aug 30 2012 17:26:16 +0200"
 * (JavaScript's Date.toString). */
static bool parse_other_forms(const char *text, int64_t *epoch)
{
    const char *p = text;
    skip_space(&p);
    if (isalpha((unsigned char)*p)) { /* a day name */
        while (isalpha((unsigned char)*p) || *p == '.')
            p++;
        skip_space(&p);
    }
    int y, mo, d, h = 0, mi = 0, s = 0;
    if (isdigit((unsigned char)*p)) {
        if (read_int(&p, 4, &y) != 4 || *p != '/')
            return false;
        p++;
        if (read_int(&p, 2, &mo) == 0 || *p != '/')
            return false;
        p++;
        if (read_int(&p, 2, &d) == 0)
            return false;
    } else {
        mo = month_index(p);
        if (!mo)
            return false;
        while (isalpha((unsigned char)*p))
            p++;
        skip_space(&p);
        if (read_int(&p, 2, &d) == 0)
            return false;
        skip_space(&p);
        if (read_int(&p, 4, &y) != 4)
            return false;
    }
    skip_space(&p);
    if (isdigit((unsigned char)*p) && !parse_time(&p, &h, &mi, &s))
        return false;
    int offset;
    if (!parse_zone(p, &offset) || !valid_fields(y, mo, d, h, mi, s))
        return false;
    *epoch = to_epoch(y, mo, d, h, mi, s, offset);
    return true;
}

bool date_parse(const char *text, int64_t *epoch)
{
    if (!text)
        return false;
    while (isspace((unsigned char)*text))
        text++;
    if (!*text || strlen(text) > 100)
        return false;
    return parse_iso8601(text, epoch) || parse_rfc822(text, epoch) || parse_asctime(text, epoch) ||
           parse_other_forms(text, epoch);
}
