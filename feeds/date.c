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

/* Month names and their abbreviations, English first, then the other languages feeds
 * write them in (Greek and Hungarian as feedparser reads them; German, French, Spanish,
 * Italian, Dutch and Portuguese abbreviations). Matched as a prefix, ASCII case-insensitively;
 * the longest name that matches wins. Returns the month (1-12) and its length in *len. */
static int month_index_len(const char *p, size_t *len)
{
    static const struct {
        const char *name;
        int month;
    } names[] = {
        {"jan", 1},
        {"feb", 2},
        {"mar", 3},
        {"apr", 4},
        {"may", 5},
        {"jun", 6},
        {"jul", 7},
        {"aug", 8},
        {"sep", 9},
        {"oct", 10},
        {"nov", 11},
        {"dec", 12},
        /* Greek (feedparser's table, with and without accents) */
        {"\u0399\u03b1\u03bd", 1},
        {"\u03a6\u03b5\u03b2", 2},
        {"\u039c\u03ac\u03ce", 3},
        {"\u039c\u03b1\u03ce", 3},
        {"\u039c\u03ac\u03c1", 3},
        {"\u039c\u03b1\u03c1", 3},
        {"\u0391\u03c0\u03c1", 4},
        {"\u039c\u03ac\u03b9", 5},
        {"\u039c\u03b1\u03ca", 5},
        {"\u039c\u03b1\u03b9", 5},
        {"\u0399\u03bf\u03cd\u03bd", 6},
        {"\u0399\u03bf\u03bd", 6},
        {"\u0399\u03bf\u03cd\u03bb", 7},
        {"\u0399\u03bf\u03bb", 7},
        {"\u0391\u03cd\u03b3", 8},
        {"\u0391\u03c5\u03b3", 8},
        {"\u03a3\u03b5\u03c0", 9},
        {"\u039f\u03ba\u03c4", 10},
        {"\u039d\u03bf\u03ad", 11},
        {"\u039d\u03bf\u03b5", 11},
        {"\u0394\u03b5\u03ba", 12},
        /* Hungarian */
        {"janu\u00e1r", 1},
        {"febru\u00e1r", 2},
        {"m\u00e1rcius", 3},
        {"\u00e1prilis", 4},
        {"m\u00e1jus", 5},
        {"j\u00fanius", 6},
        {"j\u00falius", 7},
        {"augusztus", 8},
        {"szeptember", 9},
        {"okt\u00f3ber", 10},
        /* German, French, Spanish, Italian, Dutch, Portuguese */
        {"m\u00e4r", 3},
        {"mrz", 3},
        {"mai", 5},
        {"okt", 10},
        {"dez", 12},
        {"janv", 1},
        {"f\u00e9vr", 2},
        {"fevr", 2},
        {"mars", 3},
        {"avr", 4},
        {"juin", 6},
        {"juil", 7},
        {"ao\u00fbt", 8},
        {"aout", 8},
        {"d\u00e9c", 12},
        {"ene", 1},
        {"abr", 4},
        {"ago", 8},
        {"dic", 12},
        {"set", 9},
        {"gen", 1},
        {"mag", 5},
        {"giu", 6},
        {"lug", 7},
        {"ott", 10},
        {"mei", 5},
        {"out", 10},
        {"fev", 2},
        {"dez", 12},
    };
    size_t best = 0;
    int month = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t n = strlen(names[i].name);
        if (n > best && strncasecmp(p, names[i].name, n) == 0) {
            best = n;
            month = names[i].month;
        }
    }
    *len = best;
    return month;
}

static int month_index(const char *p)
{
    size_t len;
    return month_index_len(p, &len);
}

/* Letters of a name, ASCII or not (the bytes of UTF-8 sequences). */
static bool name_byte(char c)
{
    return isalpha((unsigned char)c) || ((unsigned char)c & 0x80);
}

/* Past a month name (its letters, then a '.'). */
static void skip_name(const char **p)
{
    while (name_byte(**p) || **p == '.')
        (*p)++;
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
    } zones[] = {{"UT", 0},      {"UTC", 0},     {"GMT", 0},    {"Z", 0},      {"EST", -300},
                 {"EDT", -240},  {"CST", -360},  {"CDT", -300}, {"MST", -420}, {"MDT", -360},
                 {"PST", -480},  {"PDT", -420},  {"BST", 60},   {"CET", 60},   {"CEST", 120},
                 {"IST", 330},   {"PKT", 300},   {"JST", 540},  {"KST", 540},  {"AST", -240},
                 {"ADT", -180},  {"EET", 120},   {"EEST", 180}, {"MSK", 180},  {"AEST", 600},
                 {"AEDT", 660},  {"ACST", 570},  {"AWST", 480}, {"AT", -240},  {"ET", -300},
                 {"CT", -360},   {"MT", -420},   {"PT", -480},  {"MET", 60},   {"MEST", 120},
                 {"MESZ", 120},  {"MEZ", 60},    {"WET", 0},    {"WEST", 60},  {"HST", -600},
                 {"AKST", -540}, {"AKDT", -480}, {"NZST", 720}, {"NZDT", 780}, {"SGT", 480},
                 {"HKT", 480},   {"WIB", 420},   {"SAST", 120}, {"EAT", 180},  {"WAT", 60},
                 {"CAT", 120},   {"NST", -210},  {"NDT", -150}, {"BRT", -180}, {"ART", -180}};
    skip_space(&p);
    *offset = 0;
    if (!*p)
        return true; /* no zone: UTC */
    /* tz database names: "Etc/GMT", "Etc/UTC", and "Etc/GMT+5", which (POSIX's sign) is
     * five hours behind */
    bool posix_sign = strncasecmp(p, "Etc/", 4) == 0;
    if (posix_sign)
        p += 4;
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
                *offset += posix_sign ? -extra : extra;
                return true;
            }
            return only_trailing_comment(rest);
        }
    }
    if (isalpha((unsigned char)p[0]) && !isalpha((unsigned char)p[1]) &&
        toupper((unsigned char)p[0]) != 'J') {
        /* a military letter, read as RFC 822 wrote it (A = -1 ... M = -12, N = +1 ... Y = +12) */
        int c = toupper((unsigned char)p[0]);
        *offset = c == 'Z'   ? 0
                  : c <= 'I' ? -(c - 'A' + 1) * 60
                  : c <= 'M' ? -(c - 'A') * 60
                             : (c - 'N' + 1) * 60;
        return only_trailing_comment(p + 1);
    }
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
    if (name_byte(*p)) { /* a day name, any case, any length, any language */
        skip_name(&p);
        skip_space(&p);
    }
    int d, y, h = 0, mi = 0, s = 0, mo;
    if (read_int(&p, 2, &d) == 0)
        return false;
    while (*p == ' ' || *p == '-' || *p == '.')
        p++;
    mo = month_index(p);
    if (!mo)
        return false;
    skip_name(&p);
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
    skip_name(&p);
    skip_space(&p);
    int mo = month_index(p);
    if (!mo)
        return false;
    skip_name(&p);
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

static int count_digits(const char *p)
{
    int n = 0;
    while (isdigit((unsigned char)p[n]))
        n++;
    return n;
}

/* The date part of ISO 8601 in the forms feedparser reads: YYYY-MM-DD, YYYYMMDD, YYYY-0MM-DD,
 * YYYY-MM, YYYY-OOO, YYYYOOO (ordinal days), YY-MM-DD, YYMMDD, YY-MMDD, YY-OOO, YYOOO, YYYY,
 * -YY-MM, -YYMM, -YY (a two-digit year is in this century, as feedparser reads it), and a
 * month name in place of MM ("2004-július-13"). Forms without a year are refused. */
static bool iso_date_part(const char **pp, int64_t *year, int *mo, int *d)
{
    const char *p = *pp;
    int y, ordinal = -1, k;
    *mo = 1;
    *d = 1;
    if (*p == '-') {
        p++;
        k = count_digits(p);
        if (k != 2 && k != 4)
            return false;
        read_int(&p, 2, &y);
        *year = full_year(y, 2);
        if (k == 4)
            read_int(&p, 2, mo);
        else if (*p == '-' && count_digits(p + 1) == 2)
            p++, read_int(&p, 2, mo);
    } else {
        k = count_digits(p);
        if (k == 8 || k == 6) { /* YYYYMMDD, YYMMDD */
            read_int(&p, k - 4, &y);
            *year = full_year(y, k - 4);
            read_int(&p, 2, mo);
            read_int(&p, 2, d);
        } else if (k == 7 || k == 5) { /* YYYYOOO, YYOOO */
            read_int(&p, k - 3, &y);
            *year = full_year(y, k - 3);
            read_int(&p, 3, &ordinal);
        } else if (k == 4 || (k == 2 && p[2] == '-')) {
            read_int(&p, k, &y);
            *year = full_year(y, k);
            if (*p == '-' && (isdigit((unsigned char)p[1]) || name_byte(p[1]))) {
                p++;
                int m = count_digits(p);
                size_t name_len = 0;
                if (m == 3 && p[0] == '0' && p[3] == '-' && count_digits(p + 4) == 2) { /* 0MM-DD */
                    p++;
                    read_int(&p, 2, mo);
                    p++;
                    read_int(&p, 2, d);
                } else if (m == 3) {
                    read_int(&p, 3, &ordinal);
                } else if (m == 4) { /* MMDD */
                    read_int(&p, 2, mo);
                    read_int(&p, 2, d);
                } else if (m == 2 || (m == 0 && (*mo = month_index_len(p, &name_len)) != 0)) {
                    if (m == 2)
                        read_int(&p, 2, mo);
                    p += name_len;
                    if (*p == '-' && (count_digits(p + 1) == 2 || count_digits(p + 1) == 1)) {
                        p++;
                        read_int(&p, 2, d);
                    }
                } else {
                    return false;
                }
            }
        } else {
            return false;
        }
    }
    if (ordinal >= 0) {
        bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
        if (ordinal < 1 || ordinal > (leap ? 366 : 365))
            return false;
        int64_t yy;
        civil_from_days(days_from_civil(*year, 1, 1) + ordinal - 1, &yy, mo, d);
    }
    *pp = p;
    return true;
}

/* ISO 8601 / RFC 3339 / W3C-DTF: a date part (above), then a time "hh:mm[:ss][.fff]" or
 * "hhmmss" after 'T' or a space, then a zone ("Z", "+01:00", "+0100", a name). */
static bool parse_iso8601(const char *text, int64_t *epoch)
{
    const char *p = text;
    skip_space(&p);
    int64_t year;
    int mo, d, h = 0, mi = 0, s = 0;
    if (!iso_date_part(&p, &year, &mo, &d))
        return false;
    if ((*p == 'T' || *p == 't' || *p == ' ') && isdigit((unsigned char)p[1])) {
        p++;
        if (count_digits(p) >= 4) {
            read_int(&p, 2, &h);
            read_int(&p, 2, &mi);
            read_int(&p, 2, &s);
            if (*p == '.' || *p == ',')
                for (p++; isdigit((unsigned char)*p); p++)
                    ;
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

/* Korean blog forms (as feedparser reads them), in Korean time (+09:00):
 * "2004년 05월 28일 01:31:15" and "2004-05-25 오후 11:23:17" (오전 morning, 오후 afternoon). */
static bool parse_korean(const char *text, int64_t *epoch)
{
    static const char year_mark[] = "\uB144", month_mark[] = "\uC6D4", day_mark[] = "\uC77C";
    static const char am[] = "\uC624\uC804", pm[] = "\uC624\uD6C4";
    const char *p = text;
    int y, mo, d, h, mi, s;
    skip_space(&p);
    if (read_int(&p, 4, &y) != 4)
        return false;
    bool marks = strncmp(p, year_mark, strlen(year_mark)) == 0;
    if (marks) {
        p += strlen(year_mark);
        skip_space(&p);
        if (read_int(&p, 2, &mo) == 0 || strncmp(p, month_mark, strlen(month_mark)) != 0)
            return false;
        p += strlen(month_mark);
        skip_space(&p);
        if (read_int(&p, 2, &d) == 0 || strncmp(p, day_mark, strlen(day_mark)) != 0)
            return false;
        p += strlen(day_mark);
        skip_space(&p);
    } else {
        if (*p++ != '-' || read_int(&p, 2, &mo) != 2 || *p++ != '-' || read_int(&p, 2, &d) != 2)
            return false;
        skip_space(&p);
    }
    bool afternoon = false;
    if (!marks) {
        if (strncmp(p, pm, strlen(pm)) == 0)
            afternoon = true;
        else if (strncmp(p, am, strlen(am)) != 0)
            return false;
        p += strlen(am);
        skip_space(&p);
    }
    if (!parse_time(&p, &h, &mi, &s))
        return false;
    if (afternoon && h < 12)
        h += 12;
    skip_space(&p);
    if (*p || !valid_fields(y, mo, d, h, mi, s))
        return false;
    *epoch = to_epoch(y, mo, d, h, mi, s, 540);
    return true;
}

/* "Fri, 2006/09/15 08:19:53 EDT" (Perforce), "Thu Aug 30 2012 17:26:16 +0200"
 * (JavaScript's Date.toString) and "Feb 08, 2022" (pages' prose). */
static bool parse_other_forms(const char *text, int64_t *epoch)
{
    const char *p = text;
    skip_space(&p);
    if (name_byte(*p) && !month_index(p)) { /* a day name */
        skip_name(&p);
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
        skip_name(&p);
        skip_space(&p);
        if (read_int(&p, 2, &d) == 0)
            return false;
        if (*p == ',') /* "Feb 08, 2022", as pages write dates in prose */
            p++;
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
           parse_other_forms(text, epoch) || parse_korean(text, epoch);
}
