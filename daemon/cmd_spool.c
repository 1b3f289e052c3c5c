/* cmd_spool.c: `feedspool spool stats`: how full the spool is and how old its oldest record. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/commands.h"
#include "daemon/config.h"
#include "daemon/service.h"
#include "output/spool.h"

static void print_age(long long seconds)
{
    if (seconds < 0)
        printf("-");
    else if (seconds < 120)
        printf("%llds", seconds);
    else if (seconds < 7200)
        printf("%lldm%02llds", seconds / 60, seconds % 60);
    else
        printf("%lldh%02lldm", seconds / 3600, seconds / 60 % 60);
}

int cmd_spool(int argc, char **argv)
{
    if (wants_help(argc, argv) || argc < 2 || strcmp(argv[1], "stats") != 0) {
        FILE *out = wants_help(argc, argv) ? stdout : stderr;
        fprintf(out, "Usage: feedspool spool stats [--json] [OPTIONS]\n"
                     "Prints the spool's depth (records waiting in new/), their bytes, the age of\n"
                     "the oldest, and how many records consumers hold in cur/. The spool is the\n"
                     "configured one (-c FILE, --spool DIR).\n\n");
        service_print_options(out);
        return wants_help(argc, argv) ? 0 : 2;
    }
    /* "stats" and --json are ours; the rest are the service's options. */
    char *rest[64];
    int n_rest = 0;
    bool as_json = false;
    rest[n_rest++] = argv[0];
    for (int i = 2; i < argc && n_rest < 63; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else
            rest[n_rest++] = argv[i];
    }
    rest[n_rest] = NULL;
    struct config cfg;
    char err[1024];
    if (service_parse_args(n_rest, rest, &cfg, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool spool: %s\n", err);
        config_free(&cfg);
        return 2;
    }
    struct spool_stats st;
    int rc = spool_read_stats(cfg.spool, &st, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "feedspool spool: %s\n", err);
    } else if (as_json) {
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "spool", cfg.spool, "depth",
                              (json_int_t)st.new_records, "bytes", (json_int_t)st.new_bytes,
                              "oldest_age_seconds", (json_int_t)st.oldest_age, "claimed",
                              (json_int_t)st.cur_records, "writing", (json_int_t)st.tmp_files);
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
        json_decref(o);
    } else {
        printf("spool    %s\n", cfg.spool);
        printf("depth    %ld records in new/ (%lld bytes)\n", st.new_records, st.new_bytes);
        printf("oldest   ");
        print_age(st.oldest_age);
        printf("\nclaimed  %ld records in cur/\nwriting  %ld files in tmp/\n", st.cur_records,
               st.tmp_files);
    }
    config_free(&cfg);
    return rc < 0 ? 1 : 0;
}
