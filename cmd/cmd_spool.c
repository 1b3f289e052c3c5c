/* cmd_spool.c: `feedspool spool stats`: how full the spool is and how old its oldest record;
 * `feedspool spool validate FILE...`: records checked against the record schema. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "config/config.h"
#include "common/fileio.h"
#include "daemon/service.h"
#include "output/spool.h"
#include "output/validate.h"

#define RECORD_FILE_MAX (1L << 30)

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

/* Checks each file against the built-in record schema; exit 0 only when all conform. */
static int validate_files(int n, char **paths)
{
    char err[512];
    struct schema *schema = schema_load_record(err, sizeof err);
    if (!schema) {
        fprintf(stderr, "feedspool spool validate: %s\n", err);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < n; i++) {
        size_t len;
        char *text = file_read_all(paths[i], RECORD_FILE_MAX, &len, err, sizeof err);
        json_error_t jerr;
        json_t *record = text ? json_loadb(text, len, 0, &jerr) : NULL;
        if (!text)
            printf("%s\n", err);
        else if (!record)
            printf("%s: not JSON: line %d: %s\n", paths[i], jerr.line, jerr.text);
        else if (schema_validate(schema, record, err, sizeof err) < 0)
            printf("%s: %s\n", paths[i], err);
        else
            printf("%s: ok\n", paths[i]);
        bad += !record || schema_validate(schema, record, err, sizeof err) < 0;
        json_decref(record);
        free(text);
    }
    schema_free(schema);
    return bad ? 1 : 0;
}

int cmd_spool(int argc, char **argv)
{
    if (!wants_help(argc, argv) && argc >= 3 && strcmp(argv[1], "validate") == 0)
        return validate_files(argc - 2, argv + 2);
    if (wants_help(argc, argv) || argc < 2 || strcmp(argv[1], "stats") != 0) {
        FILE *out = wants_help(argc, argv) ? stdout : stderr;
        fprintf(
            out,
            "Usage: feedspool spool stats [--json] [OPTIONS]\n"
            "       feedspool spool validate FILE...\n"
            "stats prints the spool's depth (records waiting in new/), their bytes, the age\n"
            "of the oldest, how many records consumers hold in cur/ and how many were\n"
            "quarantined (and, with JetStream, sent). The spool is the configured one\n"
            "(-c FILE, --spool DIR).\n"
            "validate checks record files against the record schema (the one the daemon\n"
            "applies before a record enters new/), printing FILE: ok or the first problem.\n\n");
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
        json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "spool", cfg.spool,
                              "depth", (json_int_t)st.new_records, "bytes",
                              (json_int_t)st.new_bytes, "oldest_age_seconds",
                              (json_int_t)st.oldest_age, "claimed", (json_int_t)st.cur_records,
                              "writing", (json_int_t)st.tmp_files, "quarantined",
                              (json_int_t)st.quarantined, "sent", (json_int_t)st.sent_records);
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
        printf("refused  %ld records in quarantine/\n", st.quarantined);
        if (st.sent_records)
            printf("sent     %ld records in sent/ (acknowledged by JetStream)\n", st.sent_records);
    }
    config_free(&cfg);
    return rc < 0 ? 1 : 0;
}
