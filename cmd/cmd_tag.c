/* cmd_tag.c: `feedspool tag`: the topics of one article (with evidence), of a JSON-lines
 * file of articles (the format of shared/eval/topics/score.py), or an explanation for a person. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/util.h"
#include "cmd/commands.h"
#include "topics/topics.h"

#define TAG_MAX_INPUT (256L * 1024 * 1024)

/* The rules file when there is no --rules: $FEEDSPOOL_TOPICS, else the installed one, else
 * the source tree's. */
const char *default_rules_path(void)
{
    const char *env = getenv("FEEDSPOOL_TOPICS");
    if (env && *env)
        return env;
    if (access("/etc/feedspool/topics.json", R_OK) == 0)
        return "/etc/feedspool/topics.json";
    return "topics/default-topics.json";
}

static void print_json(json_t *value)
{
    char *text = json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER);
    printf("%s\n", text);
    free(text);
}

static int tag_jsonl(const struct topic_rules *rules, char *input)
{
    unsigned lineno = 0;
    for (char *line = strtok(input, "\n"); line; line = strtok(NULL, "\n")) {
        lineno++;
        json_error_t jerr;
        json_t *row = json_loads(line, 0, &jerr);
        if (!json_is_object(row)) {
            fprintf(stderr, "feedspool tag: line %u: not a JSON object: %s\n", lineno, jerr.text);
            json_decref(row);
            continue;
        }
        struct topic_result result;
        topics_tag(rules, json_string_value(json_object_get(row, "headline")),
                   json_string_value(json_object_get(row, "text")), &result);
        json_t *ids = json_array();
        for (size_t i = 0; i < result.n_hits; i++)
            json_array_append_new(ids, json_string(result.hits[i].id));
        json_t *out = json_pack(
            "{s:O, s:o}", "id",
            json_object_get(row, "id") ? json_object_get(row, "id") : json_null(), "topics", ids);
        print_json(out);
        json_decref(out);
        json_decref(row);
        topic_result_free(&result);
    }
    return 0;
}

/* Why a topic was given or not, term by term, for a person. */
static void explain(const struct topic_result *all)
{
    for (size_t i = 0; i < all->n_hits; i++) {
        const struct topic_hit *h = &all->hits[i];
        printf("%s: %s (score %.1f, threshold %.1f", h->id, h->tagged ? "TAGGED" : "not tagged",
               h->score, h->threshold);
        if (h->uncancelled > h->score)
            printf(", %.1f before cancellations", h->uncancelled);
        printf(")");
        if (!h->tagged && h->n_evidence)
            printf(": %s", topic_reason_name(h->reason));
        printf("\n");
        if (h->n_evidence == 0)
            printf("  no term of this topic occurs\n");
        for (size_t e = 0; e < h->n_evidence; e++) {
            const struct topic_evidence *ev = &h->evidence[e];
            printf("  %-30s x%u", ev->term, ev->count);
            if (ev->rejected)
                printf(" (+%u not counted)", ev->rejected);
            printf("  first in %s at byte %zu", topic_where_name(ev->first_where),
                   ev->first_offset);
            if (ev->reason == TOPIC_VETOED)
                printf("  vetoed by \"%s\" nearby", ev->veto);
            else if (ev->reason == TOPIC_DEFINED_OTHERWISE)
                printf("  the article defines it as \"%s\"", ev->defined_as);
            else if (ev->reason != TOPIC_COUNTED)
                printf("  %s", topic_reason_name(ev->reason));
            printf("\n");
        }
    }
}

int cmd_tag(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        printf(
            "Usage: feedspool tag FILE|- [--json] [--rules FILE]\n"
            "       feedspool tag --jsonl FILE [--rules FILE]\n"
            "       feedspool tag --explain FILE [--rules FILE]\n"
            "Tags an article (plain text, the headline on the first line) with the topics of\n"
            "the rules file and prints {\"topics\":[{\"id\",\"score\",\"evidence\"}]}.\n"
            "--jsonl reads lines {\"id\",\"headline\",\"text\"} and prints {\"id\",\"topics\"} lines.\n"
            "--explain prints the evidence for a person.\n"
            "Rules: --rules, else $FEEDSPOOL_TOPICS, else /etc/feedspool/topics.json, else\n"
            "topics/default-topics.json.\n");
        return 0;
    }
    const char *path = NULL, *rules_path = default_rules_path();
    bool jsonl = false, want_explain = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
            rules_path = argv[++i];
        else if (strcmp(argv[i], "--jsonl") == 0)
            jsonl = true;
        else if (strcmp(argv[i], "--explain") == 0)
            want_explain = true;
        else if (strcmp(argv[i], "--json") == 0)
            continue;
        else if (!path)
            path = argv[i];
        else {
            fprintf(stderr, "feedspool tag: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "usage: feedspool tag FILE|- [--json] | --jsonl FILE | --explain FILE\n");
        return 2;
    }
    char err[512];
    struct topic_rules *rules;
    if (topic_rules_load(rules_path, &rules, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool tag: %s\n", err);
        return 1;
    }
    size_t len;
    char *input = file_read_all(path, TAG_MAX_INPUT, &len, err, sizeof err);
    if (!input) {
        fprintf(stderr, "feedspool tag: %s\n", err);
        topic_rules_free(rules);
        return 1;
    }
    if (jsonl) {
        tag_jsonl(rules, input);
    } else {
        char *newline = strchr(input, '\n');
        const char *text = newline ? newline + 1 : "";
        if (newline)
            *newline = '\0';
        struct topic_result result;
        if (want_explain)
            topics_explain(rules, input, text, &result);
        else
            topics_tag(rules, input, text, &result);
        if (want_explain) {
            explain(&result);
        } else {
            json_t *out = json_pack("{s:o}", "topics", topic_result_to_json(&result));
            print_json(out);
            json_decref(out);
        }
        topic_result_free(&result);
    }
    free(input);
    topic_rules_free(rules);
    return 0;
}
