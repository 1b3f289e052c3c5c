/* topics.h: topic rules, and the tagger that applies them to an article.
 *
 * Rules come from a JSON file (see the README): topics with terms, aliases,
 * case rules, context rules, weights and thresholds. topic_rules_load() builds
 * one matcher for all terms, so topics_tag() is one pass over the text whatever
 * the number of terms. Both are pure over memory; rules are immutable once
 * loaded and may be shared. */
#ifndef FEEDSPOOL_TOPICS_TOPICS_H
#define FEEDSPOOL_TOPICS_TOPICS_H

#include <jansson.h>
#include <stddef.h>

struct topic_rules;

enum topic_where { TOPIC_IN_HEADLINE, TOPIC_IN_LEAD, TOPIC_IN_BODY };

/* A result's strings (ids, terms) are the rules': they stay valid while the rules that made
 * the result are loaded. */
struct topic_evidence {
    const char *term;        /* the rule term that fired */
    unsigned count;          /* matches in headline + text */
    enum topic_where first_where;
    size_t first_offset;     /* byte offset of the first match within headline or text */
    const char *veto;        /* the veto term that cancelled matches, or NULL */
};

struct topic_hit {
    const char *id;          /* topic id, e.g. "ttp" */
    double score;
    double threshold;        /* the topic's; score >= threshold means tagged */
    struct topic_evidence *evidence;
    size_t n_evidence;
};

struct topic_result {
    struct topic_hit *hits;  /* only topics at or above their threshold */
    size_t n_hits;
};

/* Returns 0, or -1 with "FILE:LINE: reason" in err. The caller owns *out. */
int topic_rules_load(const char *path, struct topic_rules **out, char *err, size_t errlen);
/* Same, from a NUL-terminated JSON string; name is used in error messages. */
int topic_rules_parse(const char *json_text, const char *name, struct topic_rules **out,
                      char *err, size_t errlen);
void topic_rules_free(struct topic_rules *rules);
size_t topic_rules_count(const struct topic_rules *rules); /* number of topics */
/* The first id in a comma-separated list that the rules do not define, or NULL when all
 * are defined; the returned pointer is into list (up to the next comma). */
const char *topic_rules_unknown_id(const struct topic_rules *rules, const char *list);

/* Tags one article; headline may be NULL. Fills *out (caller frees with topic_result_free)
 * with the topics at or above their threshold. */
void topics_tag(const struct topic_rules *rules, const char *headline, const char *text,
                struct topic_result *out);
/* The same, but *out holds every topic, tagged or not, with all its evidence (for --explain). */
void topics_explain(const struct topic_rules *rules, const char *headline, const char *text,
                    struct topic_result *out);
void topic_result_free(struct topic_result *r);
/* Drops the hits whose id is not in the comma-separated list (a feed's topics= option). */
void topic_result_keep_only(struct topic_result *r, const char *list);

const char *topic_where_name(enum topic_where w); /* "headline", "lead", "body" */
/* [{"id":..,"score":..,"evidence":[{"term","count","where","offset","veto"?}]}]. New reference. */
json_t *topic_result_to_json(const struct topic_result *r);

#endif
