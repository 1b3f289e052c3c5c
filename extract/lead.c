/* lead.c: the dateline and byline at the start of an article's text, moved out of it.
 *
 * A byline is a short first line "By NAME[, NAME and NAME]" without a sentence's end. A
 * dateline opens the first paragraph: a place in capitals ("ISLAMABAD", "NEW YORK", "SÃO
 * PAULO"), maybe followed by a date and an agency in parentheses, then a separator (":",
 * " - ", " — ", " – "): "ISLAMABAD, Dec 3 (Reuters) - The ..." and "PESHAWAR: The ...". */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"
#include "extract/extract_internal.h"

#define BYLINE_MAX 100
#define DATELINE_MAX 60

/* True for the bytes of a capital letter: ASCII A-Z, or any multibyte UTF-8 character (the
 * capitals of other scripts; a lower-case ASCII letter is what ends a place name). */
static size_t capital_at(const char *s)
{
    unsigned char c = (unsigned char)*s;
    if (c >= 'A' && c <= 'Z')
        return 1;
    if (c >= 0xC0) {
        size_t n = 1;
        while (((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        return n;
    }
    return 0;
}

/* The length of a run of capitalised words ("NEW YORK", "ST. JOHN'S"), at least 3 capitals. */
static size_t place_length(const char *s)
{
    size_t i = 0, capitals = 0;
    for (;;) {
        size_t n = capital_at(s + i);
        if (n) {
            i += n;
            capitals++;
        } else if ((s[i] == '.' || s[i] == '\'' || s[i] == '-') && capital_at(s + i + 1)) {
            i++;
        } else if (s[i] == '.' && s[i + 1] == ' ') {
            i++;
        } else if (s[i] == ' ' && capital_at(s + i + 1) && capital_at(s + i + 2)) {
            i++;
        } else {
            break;
        }
    }
    return capitals >= 3 ? i : 0;
}

/* The length of the dateline opening paragraph p, up to its separator, or 0. */
static size_t dateline_length(const char *p, size_t *separator_end)
{
    size_t place = place_length(p);
    if (!place || isalnum((unsigned char)p[place]))
        return 0;
    static const char *const separators[] = {" - ", " — ", " – ", " -- ", ": ", " : "};
    size_t end = place;
    while (p[end] && p[end] != '\n' && end < DATELINE_MAX) {
        for (size_t i = 0; i < ARRAY_LEN(separators); i++) {
            size_t n = strlen(separators[i]);
            if (strncmp(p + end, separators[i], n) == 0 && p[end + n] && p[end + n] != '\n') {
                *separator_end = end + n;
                return end;
            }
        }
        if (p[end] == ' ' && islower((unsigned char)p[end + 1]))
            return 0; /* a word in lower case: prose ("LONDON is ..."), no dateline */
        end++;
    }
    /* (a colon straight after the place: "PESHAWAR:The") */
    if (p[place] == ':' && p[place + 1] && p[place + 1] != '\n') {
        *separator_end = place + 1;
        return place;
    }
    return 0;
}

/* The byline on the first line, or 0: its length (the line's). */
static size_t byline_length(const char *p)
{
    if (strncasecmp(p, "by ", 3) != 0 || !capital_at(p + 3))
        return 0;
    size_t len = strcspn(p, "\n");
    if (len > BYLINE_MAX)
        return 0;
    for (size_t i = 3; i + 1 < len; i++)
        if ((p[i] == '.' && p[i + 1] == ' ' && i > 4 && islower((unsigned char)p[i - 1]) &&
             islower((unsigned char)p[i - 2])) ||
            p[i] == '!' || p[i] == '?')
            return 0;
    return len;
}

void extract_lead_split(char **text, char **dateline, char **byline)
{
    const char *p = *text;
    size_t by = byline_length(p);
    if (by && p[by] == '\n') {
        *byline = xstrndup(p, by);
        p += by;
        while (*p == '\n')
            p++;
    }
    size_t rest = 0, place = dateline_length(p, &rest);
    if (place) {
        *dateline = xstrndup(p, place);
        p += rest;
        while (*p == ' ')
            p++;
    }
    if (p != *text && *p) {
        char *shorter = xstrdup(p);
        free(*text);
        *text = shorter;
    } else if (!*p) { /* nothing would be left: the text stays whole */
        free(*byline);
        free(*dateline);
        *byline = *dateline = NULL;
    }
}
