/* fuzz_log.c: libFuzzer harness for the log's escaping and its JSON form: whatever the %s
 * values hold, a call writes one line, and in the JSON form that line is one JSON object
 * whose fields are strings or numbers. The log's stderr is a temporary file, read back per
 * input (the stream, not descriptor 2: libFuzzer keeps reporting on the original). */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *capture, *report;
static char written[32768];

/* What the last calls wrote, from the start of the file; the file is emptied. */
static const char *take_written(void)
{
    fflush(capture);
    ssize_t n = pread(fileno(capture), written, sizeof written - 1, 0);
    written[n > 0 ? n : 0] = '\0';
    if (ftruncate(fileno(capture), 0) < 0)
        abort();
    rewind(capture);
    return written;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!capture) {
        capture = tmpfile();
        if (!capture)
            abort();
        report = stderr;
        stderr = capture; /* glibc's stderr is a variable; libFuzzer took its own copy */
        unsetenv("JOURNAL_STREAM");
    }
    /* Two values: the input split at its first NUL byte. */
    char *text = malloc(size + 2);
    memcpy(text, data, size);
    text[size] = text[size + 1] = '\0';
    const char *a = text, *b = text + strlen(text) + 1;
    if (b > text + size)
        b = "";
    for (int form = 0; form < 2; form++) {
        log_set_format(form ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT);
        log_warn("event %s k=%s q=\"%s\" n=%d %s=x", a, b, a, 7, b);
        const char *out = take_written();
        const char *newline = strchr(out, '\n');
        if (!newline || newline[1] != '\0')
            abort(); /* one call, one line */
        if (form) {
            json_error_t error;
            json_t *line = json_loads(out, JSON_DISABLE_EOF_CHECK, &error);
            if (!line || !json_is_object(line) ||
                !json_is_string(json_object_get(line, "message"))) {
                fprintf(report, "not a JSON object with a message (%s): %s", error.text, out);
                abort();
            }
            const char *key;
            json_t *value;
            json_object_foreach(line, key, value) if (!json_is_string(value) &&
                                                      !json_is_integer(value) &&
                                                      !json_is_real(value)) abort();
            json_decref(line);
        }
    }
    free(text);
    return 0;
}
