/* cmd_rules.c: `feedspool rules eval LABELLED.jsonl [--rules FILE]`: measures topic rules on
 * articles a person has labelled: precision, recall and F1 per topic, and every false
 * positive and false negative with the evidence for and against it. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "common/fileio.h"
#include "common/util.h"
#include "topics/topics.h"

#define EVAL_MAX_INPUT (256L * 1024 * 1024)

struct topic_counts {
    const char *id;
    bool labelled; /* some article has a label for it */
    unsigned tp, fp, fn, tn;
};

/* One line of evidence: "truce x2 (headline), the pause x1 (body, no name before)". */
static void print_evidence(const struct topic_hit *h)
{
    printf("score %.1f of %.1f", h->score, h->threshold);
    if (h->paragraph_score > 0)
        printf(", best paragraph %.1f", h->paragraph_score);
    if (!h->tagged)
        printf(" (%s)", topic_reason_name(h->reason));
    printf(":");
    if (h->n_evidence == 0)
        printf(" no term of the topic occurs");
    for (size_t e = 0; e < h->n_evidence; e++) {
        const struct topic_evidence *ev = &h->evidence[e];
        printf("%s %s x%u (%s", e ? ";" : "", ev->term, ev->count,
               topic_where_name(ev->first_where));
        if (ev->rejected)
            printf(", %u not counted: %s", ev->rejected, topic_reason_name(ev->reason));
        if (ev->reason == TOPIC_VETOED && ev->veto)
            printf(" \"%s\"", ev->veto);
        if (ev->reason == TOPIC_DEFINED_OTHERWISE && ev->defined_as)
            printf(" as \"%s\"", ev->defined_as);
        printf(")");
    }
    printf("\n");
}

/* An article tagged wrongly: its line (in the input buffer) and the topic. */
struct wrong {
    const char *line;
    size_t topic;
    bool false_positive;
};

static void print_wrong(const struct topic_rules *rules, const struct wrong *w, size_t n,
                        bool false_positives)
{
    printf("\nfalse %s:\n", false_positives ? "positives" : "negatives");
    for (size_t i = 0; i < n; i++) {
        if (w[i].false_positive != false_positives)
            continue;
        json_t *row = json_loads(w[i].line, 0, NULL);
        struct topic_result all;
        topics_explain(rules, json_string_value(json_object_get(row, "headline")),
                       json_string_value(json_object_get(row, "text")), &all);
        const char *id = json_string_value(json_object_get(row, "id"));
        printf("  %s %s ", id ? id : "?", all.hits[w[i].topic].id);
        print_evidence(&all.hits[w[i].topic]);
        topic_result_free(&all);
        json_decref(row);
    }
}

/* Scores every labelled article, prints the table, then the wrong ones with evidence. */
static int eval_file(const struct topic_rules *rules, char *input)
{
    size_t n_topics = topic_rules_count(rules);
    struct topic_counts *counts = xcalloc(n_topics ? n_topics : 1, sizeof *counts);
    struct wrong *wrong = NULL;
    size_t n_wrong = 0, cap_wrong = 0;
    unsigned lineno = 0, articles = 0;
    for (char *line = strtok(input, "\n"); line; line = strtok(NULL, "\n")) {
        lineno++;
        json_t *row = json_loads(line, 0, NULL);
        json_t *labels = json_object_get(row, "labels");
        if (!json_is_object(labels)) {
            fprintf(stderr, "feedspool rules eval: line %u: no \"labels\" object, skipped\n",
                    lineno);
            json_decref(row);
            continue;
        }
        articles++;
        struct topic_result all;
        topics_explain(rules, json_string_value(json_object_get(row, "headline")),
                       json_string_value(json_object_get(row, "text")), &all);
        for (size_t t = 0; t < all.n_hits && t < n_topics; t++) {
            const struct topic_hit *h = &all.hits[t];
            struct topic_counts *c = &counts[t];
            c->id = h->id;
            json_t *gold = json_object_get(labels, h->id);
            if (!json_is_boolean(gold))
                continue;
            c->labelled = true;
            bool g = json_is_true(gold);
            c->tp += g && h->tagged;
            c->fp += !g && h->tagged;
            c->fn += g && !h->tagged;
            c->tn += !g && !h->tagged;
            if (g == h->tagged)
                continue;
            if (n_wrong == cap_wrong) {
                cap_wrong = cap_wrong ? 2 * cap_wrong : 16;
                wrong = xrealloc(wrong, cap_wrong * sizeof *wrong);
            }
            wrong[n_wrong++] =
                (struct wrong){.line = line, .topic = t, .false_positive = h->tagged};
        }
        topic_result_free(&all);
        json_decref(row);
    }

    printf("articles %u\n\n%-12s %5s %5s %5s %5s  %6s %6s %6s\n", articles, "topic", "tp", "fp",
           "fn", "tn", "P", "R", "F1");
    double f1_sum = 0;
    unsigned measured = 0;
    for (size_t t = 0; t < n_topics; t++) {
        const struct topic_counts *c = &counts[t];
        if (!c->labelled)
            continue;
        double p = c->tp + c->fp ? (double)c->tp / (c->tp + c->fp) : 0;
        double r = c->tp + c->fn ? (double)c->tp / (c->tp + c->fn) : 0;
        double f = p + r > 0 ? 2 * p * r / (p + r) : 0;
        printf("%-12s %5u %5u %5u %5u  %6.3f %6.3f %6.3f\n", c->id, c->tp, c->fp, c->fn, c->tn, p,
               r, f);
        f1_sum += f;
        measured++;
    }
    printf("macro F1 %.3f\n", measured ? f1_sum / measured : 0.0);
    print_wrong(rules, wrong, n_wrong, true);
    print_wrong(rules, wrong, n_wrong, false);
    free(wrong);
    free(counts);
    return measured ? 0 : 1;
}

int cmd_rules(int argc, char **argv)
{
    if (wants_help(argc, argv) || argc < 3 || strcmp(argv[1], "eval") != 0) {
        FILE *out = wants_help(argc, argv) ? stdout : stderr;
        fprintf(out, "Usage: feedspool rules eval LABELLED.jsonl [--rules FILE]\n"
                     "Tags each article of LABELLED.jsonl (lines {\"id\", \"headline\", \"text\",\n"
                     "\"labels\": {\"TOPIC\": true|false}}) with the rules and prints precision,\n"
                     "recall and F1 for each labelled topic, the macro F1, and every false\n"
                     "positive and false negative with its evidence (terms, counts, where, and\n"
                     "why matches did not count). Rules: as for `feedspool tag`.\n");
        return wants_help(argc, argv) ? 0 : 2;
    }
    const char *path = NULL, *rules_path = default_rules_path();
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
            rules_path = argv[++i];
        } else if (!path) {
            path = argv[i];
        } else {
            fprintf(stderr, "feedspool rules eval: unexpected argument '%s'\n", argv[i]);
            return 2;
        }
    }
    char err[512];
    struct topic_rules *rules;
    if (topic_rules_load(rules_path, &rules, err, sizeof err) < 0) {
        fprintf(stderr, "feedspool rules eval: %s\n", err);
        return 1;
    }
    size_t len;
    char *input = path ? file_read_all(path, EVAL_MAX_INPUT, &len, err, sizeof err) : NULL;
    if (!input) {
        fprintf(stderr, "feedspool rules eval: %s\n", path ? err : "no labelled file given");
        topic_rules_free(rules);
        return 1;
    }
    int rc = eval_file(rules, input);
    if (rc)
        fprintf(stderr, "feedspool rules eval: no article has a label for a topic of the rules\n");
    free(input);
    topic_rules_free(rules);
    return rc;
}
