/* fuzz_extract.c: libFuzzer harness for the HTML article extractor and its metadata reader.
 * The first input byte picks a Content-Type charset, so the decoding paths are fuzzed too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/utf8.h"
#include "extract/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const content_types[] = {NULL,
                                                "text/html",
                                                "text/html; charset=utf-8",
                                                "text/html; charset=windows-1252",
                                                "text/html; charset=Shift_JIS",
                                                "text/html; charset=GB18030",
                                                "text/html; charset=KOI8-R",
                                                "text/html; charset=bogus-charset"};
    if (size < 1)
        return 0;
    struct extract_input in = {
        .data = (const char *)data + 1,
        .len = size - 1,
        .url = "https://fuzz.example/news/2026/story.html",
        .content_type = content_types[data[0] % (sizeof content_types / sizeof *content_types)],
    };
    struct article a;
    char err[256];
    if (extract_article(&in, &a, err, sizeof err) == 0) {
        const char *fields[] = {a.title, a.author,        a.published, a.modified, a.site,
                                a.lang,  a.canonical_url, a.image,     a.text};
        for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
            if (fields[i] && !utf8_valid(fields[i], strlen(fields[i])))
                __builtin_trap(); /* the extractor promises UTF-8 */
        article_free(&a);
    }
    return 0;
}
