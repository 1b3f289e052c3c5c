/* fuzz_credentials.c: libFuzzer harness for the credentials file parser and URL redaction:
 * every parsed prefix finds a credential, and redacted text holds no URL with userinfo. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/redact.h"
#include "net/credentials.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct credentials *c;
    char err[512];
    if (credentials_parse(text, "fuzz", &c, err, sizeof err) == 0)
        credentials_free(c);
    char *redacted = redact_credentials(text);
    if (has_credentials(redacted))
        __builtin_trap();
    free(redacted);
    char *clean, *user, *password;
    if (url_take_credentials(text, &clean, &user, &password)) {
        if (strlen(clean) >= strlen(text))
            __builtin_trap();
        free(clean);
        free(user);
        free(password);
    }
    free(text);
    return 0;
}
