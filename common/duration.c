/* duration.c: "15m" -> 900 (see duration.h). */
#include "common/duration.h"

#include <limits.h>
#include <string.h>

#include "common/util.h"

static const struct {
    const char *suffix;
    long long ms;
} units[] = {{"ms", 1}, {"s", 1000}, {"m", 60 * 1000}, {"h", 3600 * 1000}, {"d", 86400 * 1000}};

int duration_parse(const char *text, enum duration_unit unit, long *out)
{
    const char *p = text;
    if (!p || *p < '0' || *p > '9')
        return -1;
    long long n = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > (LLONG_MAX - 9) / 10)
            return -1;
        n = n * 10 + (*p - '0');
    }
    long long scale = unit; /* a bare number is in the unit asked for */
    if (*p) {
        scale = 0;
        for (size_t i = 0; i < ARRAY_LEN(units) && !scale; i++)
            if (strcmp(p, units[i].suffix) == 0)
                scale = units[i].ms;
        if (!scale)
            return -1;
    }
    if (n > LLONG_MAX / scale)
        return -1;
    long long ms = n * scale;
    if (ms % unit != 0 || ms / unit > LONG_MAX)
        return -1;
    *out = (long)(ms / unit);
    return 0;
}
