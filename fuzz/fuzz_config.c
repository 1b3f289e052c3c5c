/* fuzz_config.c: libFuzzer harness for the configuration file parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    struct config cfg;
    config_init(&cfg);
    char err[512];
    config_read(&cfg, f, "fuzz.conf", err, sizeof err);
    fclose(f);
    struct config defaults;
    config_init(&defaults);
    free(config_restart_only_changes(&defaults, &cfg));
    config_free(&defaults);
    config_free(&cfg);
    return 0;
}
