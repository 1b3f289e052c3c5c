/* topics.h: topic rules, and the tagger that applies them to an article.
 *
 * Rules come from a JSON file (see the README): topics with terms and their spellings,
 * references, proximity rules, vetoes, context, titles, hedges, weights and thresholds.
 * topic_rules_load() builds one matcher for all terms, so topics_tag() is one pass over the
 * text whatever the number of terms. Both are pure over memory; rules are immutable once
 * loaded and may be shared. */
#ifndef FEEDSPOOL_TOPICS_TOPICS_H
#define FEEDSPOOL_TOPICS_TOPICS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct topic_rules;

enum topic_where { TOPIC_IN_HEADLINE, TOPIC_IN_LEAD, TOPIC_IN_BODY };

/* Why matches did not count (evidence), or why a topic was not given (a hit's reason):
 * a veto nearby; the article defines the acronym as something else; the term is the
 * title of a film, song or drama; no context term near it; a negated or hypothetical
 * headline mention (it counts, as a body mention); a later reference with no named mention
 * before it; and, for a topic, a score below the threshold with nothing cancelled that
 * would have reached it. */
enum topic_reason {
    TOPIC_COUNTED,
    TOPIC_VETOED,
    TOPIC_DEFINED_OTHERWISE,
    TOPIC_TITLE,
    TOPIC_NO_CONTEXT,
    TOPIC_HEDGED,
    TOPIC_NO_NAME_BEFORE,
    TOPIC_BELOW_THRESHOLD
};

/* A result's ids and terms are the rules': they stay valid while the rules that made the
 * result are loaded. `defined_as` is the result's own. */
struct topic_evidence {
    const char *term;  /* the rule term (or proximity rule) that fired */
    unsigned count;    /* matches in headline + text that counted */
    unsigned rejected; /* matches that did not count (reason says why) */
    enum topic_where first_where;
    size_t first_offset;      /* byte offset of the first match within headline or text */
    enum topic_reason reason; /* TOPIC_COUNTED, or why some matches did not count fully */
    const char *veto;         /* TOPIC_VETOED: the veto term */
    char *defined_as;         /* TOPIC_DEFINED_OTHERWISE: the article's expansion */
};

struct topic_hit {
    const char *id; /* topic id, e.g. "ttp" */
    double score;
    double threshold; /* the topic's; score >= threshold means tagged */
    bool tagged;
    double paragraph_score;   /* the best paragraph's score at body weights (texts of several
                              * paragraphs, topics with a paragraph_threshold) */
    double uncancelled;       /* the score had no veto, definition, title or context rule
                              * cancelled a match */
    enum topic_reason reason; /* untagged: the rule that cancelled most, or below threshold */
    struct topic_evidence *evidence;
    size_t n_evidence;
};

struct topic_result {
    struct topic_hit *hits; /* topics_tag: only topics at or above their threshold */
    size_t n_hits;
};

/* Returns 0, or -1 with "FILE:LINE: reason" in err. The caller owns *out. */
int topic_rules_load(const char *path, struct topic_rules **out, char *err, size_t errlen);
/* Same, from a NUL-terminated JSON string; name is used in error messages. */
int topic_rules_parse(const char *json_text, const char *name, struct topic_rules **out, char *err,
                      size_t errlen);
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
/* Tags one article as topics_tag() does, and also fills *near_misses with the topics it was
 * not given that came close: a rule cancelled matches, or the score reached half the
 * threshold. Each has its reason and evidence (for the record's rejected topics). */
void topics_tag_with_near_misses(const struct topic_rules *rules, const char *headline,
                                 const char *text, struct topic_result *tagged,
                                 struct topic_result *near_misses);
void topic_result_free(struct topic_result *r);
/* Drops the hits whose id is not in the comma-separated list (a feed's topics= option). */
void topic_result_keep_only(struct topic_result *r, const char *list);

const char *topic_where_name(enum topic_where w); /* "headline", "lead", "body" */
/* "counted", "veto", "defined otherwise", "title", "no context", "hedged",
 * "no name before", "below threshold" */
const char *topic_reason_name(enum topic_reason reason);
/* [{"id":..,"score":..,"evidence":[{"term","count","where","offset","veto"?}]}]: the counted
 * evidence of tagged topics. New reference. */
json_t *topic_result_to_json(const struct topic_result *r);
/* [{"id","score","threshold","reason","evidence":[{"term","count","rejected","where",
 * "offset","reason"?,"veto"?,"defined_as"?}]}]: every hit with all its evidence (near
 * misses, --explain). New reference. */
json_t *topic_result_to_json_full(const struct topic_result *r);

#endif
