/* config.c: the option table and the `key = value` parser made from it. */
#include "config/config.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/duration.h"
#include "common/hash.h"
#include "common/redact.h"
#include "common/suggest.h"
#include "common/url.h"
#include "common/util.h"
#include "common/version.h"
#include "feeds/shard.h"

enum option_type {
    OPT_STRING,
    OPT_COUNT,
    OPT_SECONDS,
    OPT_MILLISECONDS,
    OPT_BYTES,
    OPT_BOOL,   /* yes|no into a bool */
    OPT_CHOICE, /* one of a list of names into an enum (stored as an int) */
};

/* One value of an OPT_CHOICE option; a list ends with a NULL name. */
struct choice {
    const char *name;
    int value;
};

struct option_spec {
    const char *name;
    enum option_type type;
    size_t offset;
    const char *default_value;
    long min, max;
    const char *help;
    bool at_start; /* a new value takes effect only when the daemon starts again */
    bool path;     /* OPT_STRING: a file or folder; relative in a file: to the file's folder */
    const struct choice *choices; /* OPT_CHOICE: the allowed values */
    const struct choice *aliases; /* OPT_CHOICE: other words accepted for them, not listed */
    int (*check)(const char *value, char *err, size_t errlen); /* OPT_STRING: validates, or NULL */
};

/* Table rows: the option named after its field in struct config, its kind and default. */
#define OPTION(field, kind, def, ...)                                                              \
    {                                                                                              \
        .name = #field, .type = kind, .offset = offsetof(struct config, field),                    \
        .default_value = def, __VA_ARGS__                                                          \
    }
#define STR(field, def, h) OPTION(field, OPT_STRING, def, .help = h)
#define STR_CHECKED(field, def, fn, h) OPTION(field, OPT_STRING, def, .check = fn, .help = h)
#define NUM(field, kind, def, lo, hi, h) OPTION(field, kind, def, .min = lo, .max = hi, .help = h)
#define CHOICE(field, def, names, h) OPTION(field, OPT_CHOICE, def, .choices = names, .help = h)
/* The same, for options read once at start. */
#define STR_AT_START(field, def, h) OPTION(field, OPT_STRING, def, .help = h, .at_start = true)
#define PATH(field, def, h) OPTION(field, OPT_STRING, def, .help = h, .path = true)
#define PATH_AT_START(field, def, h)                                                               \
    OPTION(field, OPT_STRING, def, .help = h, .at_start = true, .path = true)
#define STR_CHECKED_AT_START(field, def, fn, h)                                                    \
    OPTION(field, OPT_STRING, def, .check = fn, .help = h, .at_start = true)
#define NUM_AT_START(field, kind, def, lo, hi, h)                                                  \
    OPTION(field, kind, def, .min = lo, .max = hi, .help = h, .at_start = true)
#define CHOICE_AT_START(field, def, names, h)                                                      \
    OPTION(field, OPT_CHOICE, def, .choices = names, .help = h, .at_start = true)
#define BOOL_AT_START(field, def, h) OPTION(field, OPT_BOOL, def, .help = h, .at_start = true)

/* The enums of struct config are stored through an int. */
_Static_assert(sizeof(enum log_level) == sizeof(int), "enum log_level is not int-sized");
_Static_assert(sizeof(enum log_format) == sizeof(int), "enum log_format is not int-sized");
_Static_assert(sizeof(enum config_published) == sizeof(int),
               "enum config_published is not int-sized");
_Static_assert(sizeof(enum config_copies) == sizeof(int), "enum config_copies is not int-sized");
_Static_assert(sizeof(enum config_robots) == sizeof(int), "enum config_robots is not int-sized");
_Static_assert(sizeof(enum config_content) == sizeof(int), "enum config_content is not int-sized");

static const struct choice log_levels[] = {
    {"err", LOG_LEVEL_ERR},   {"warning", LOG_LEVEL_WARNING}, {"notice", LOG_LEVEL_NOTICE},
    {"info", LOG_LEVEL_INFO}, {"debug", LOG_LEVEL_DEBUG},     {NULL, 0}};
static const struct choice log_level_aliases[] = {
    {"error", LOG_LEVEL_ERR}, {"warn", LOG_LEVEL_WARNING}, {NULL, 0}};
static const struct choice log_formats[] = {
    {"text", LOG_FORMAT_TEXT}, {"json", LOG_FORMAT_JSON}, {NULL, 0}};
static const struct choice published_choices[] = {
    {"move", CONFIG_PUBLISHED_MOVE}, {"delete", CONFIG_PUBLISHED_DELETE}, {NULL, 0}};
static const struct choice copies_choices[] = {
    {"mark", CONFIG_COPIES_MARK}, {"first", CONFIG_COPIES_FIRST}, {NULL, 0}};
static const struct choice robots_choices[] = {
    {"obey", CONFIG_ROBOTS_OBEY}, {"ignore", CONFIG_ROBOTS_IGNORE}, {NULL, 0}};
static const struct choice content_choices[] = {{"text", CONFIG_CONTENT_TEXT},
                                                {"html", CONFIG_CONTENT_HTML},
                                                {"markdown", CONFIG_CONTENT_MARKDOWN},
                                                {"html+markdown", CONFIG_CONTENT_HTML_MARKDOWN},
                                                {NULL, 0}};

static int check_shard(const char *value, char *err, size_t errlen)
{
    struct shard shard;
    return shard_parse(value, &shard, err, errlen);
}

/* An absolute http(s) URL, or empty (off). Shown without its user:password@. */
static int check_http_url(const char *value, char *err, size_t errlen)
{
    if (!*value)
        return 0;
    char *normal = url_normalize(value);
    if (normal) {
        free(normal);
        return 0;
    }
    char *shown = redact_credentials(value);
    set_err(err, errlen, "'%s' is not an http:// or https:// URL", shown);
    free(shown);
    return -1;
}

int config_split_address(const char *value, char **host, long *port, char *err, size_t errlen)
{
    const char *colon = strrchr(value, ':');
    if (!colon || colon == value || !colon[1])
        return set_err(err, errlen, "'%s' is not HOST:PORT", value);
    if (value[0] == '[' && colon[-1] != ']')
        return set_err(err, errlen, "'%s': an IPv6 address goes in brackets, [::1]:9184", value);
    char *end;
    *port = strtol(colon + 1, &end, 10);
    if (*end || *port < 1 || *port > 65535)
        return set_err(err, errlen, "'%s': the port must be a number from 1 to 65535", value);
    bool bracketed = value[0] == '[';
    *host = xstrndup(value + bracketed, (size_t)(colon - value) - 2 * bracketed);
    return 0;
}

int config_check_metrics_address(const char *value, char *err, size_t errlen)
{
    if (!*value)
        return 0;
    char *host = NULL;
    long port;
    if (config_split_address(value, &host, &port, err, errlen) < 0)
        return -1;
    free(host);
    return 0;
}

static const struct option_spec options[] = {
    PATH(feeds, "/etc/feedspool/feeds.txt", "feed list file: one URL per line, # comments"),
    PATH(topics, "/etc/feedspool/topics.json", "topic rules file (JSON)"),
    STR_CHECKED(shard, "", check_shard,
                "I/N: poll only the feeds whose host rendezvous-hashes to daemon I of N"),
    PATH_AT_START(spool, "/var/lib/feedspool/spool", "spool directory holding tmp/, new/ and cur/"),
    PATH_AT_START(state, "/var/lib/feedspool/state.db", "SQLite state database"),
    STR_AT_START(user_agent, FEEDSPOOL_USER_AGENT, "User-Agent sent with every request"),
    STR_AT_START(contact_url, "", "contact URL or address added to the User-Agent"),
    STR_AT_START(allow_networks, "",
                 "ranges article links may reach besides public addresses, e.g. 127.0.0.0/8"),
    PATH_AT_START(credentials, "",
                  "file of `URL-PREFIX USER:PASSWORD` lines for feeds that need HTTP credentials "
                  "(empty: $CREDENTIALS_DIRECTORY/feedspool-credentials if it exists)"),
    STR_CHECKED_AT_START(
        metrics_address, "", config_check_metrics_address,
        "HOST:PORT serving /metrics (Prometheus), /healthz, /readyz and the status "
        "page at / (loopback advised: another address logs a notice)"),
    PATH_AT_START(jsonl_file, "",
                  "JSON Lines sink: each record appended as one line to this file, or - for "
                  "standard output (empty: off)"),
    NUM_AT_START(jsonl_rotate_bytes, OPT_BYTES, "0", 0, 1L << 40,
                 "the JSON Lines file is renamed to FILE.1 before it would pass this size; 0: "
                 "never (logrotate, then SIGHUP)"),
    NUM_AT_START(jsonl_keep, OPT_COUNT, "5", 1, 1000,
                 "rotated JSON Lines files kept: FILE.1 (newest) to FILE.N"),
    STR_CHECKED_AT_START(
        webhook_url, "", check_http_url,
        "webhook sink: each record POSTed to this http(s) URL (empty: off); a private or "
        "loopback address needs allow_networks"),
    NUM_AT_START(webhook_batch, OPT_COUNT, "1", 1, 1000,
                 "records a webhook request carries: 1, the record as the body; more, JSON Lines"),
    STR_AT_START(
        nats_servers, "",
        "NATS server URLs, comma-separated: records are published to JetStream (empty: off)"),
    STR_AT_START(nats_stream, "",
                 "the JetStream stream records must land in (checked per message)"),
    STR_AT_START(
        nats_subject, "feedspool.articles.<topic>",
        "subject of each record's messages, one per topic: <topic> is that topic (none when it "
        "has none)"),
    PATH_AT_START(nats_credentials, "", "NATS credentials file (.creds)"),
    CHOICE_AT_START(published, "move", published_choices,
                    "a record every sink has moves to sent/, or is deleted"),
    NUM_AT_START(nats_max_in_flight, OPT_COUNT, "256", 1, 100000,
                 "JetStream messages published and not yet acknowledged, at most"),
    OPTION(log_level, OPT_CHOICE, "info", .choices = log_levels, .aliases = log_level_aliases,
           .help = "how much the log says"),
    CHOICE_AT_START(log_format, "text", log_formats,
                    "text: priority prefixes under journald, else a timestamp and the level; "
                    "json: one JSON object per line"),
    NUM(poll_interval, OPT_SECONDS, "15m", 1, 7 * 86400, "default time between polls of a feed"),
    NUM(poll_jitter, OPT_SECONDS, "30s", 0, 86400, "first polls are spread over this window"),
    NUM(max_poll_interval, OPT_SECONDS, "1d", 60, 30L * 86400,
        "longest interval a feed's ttl or Cache-Control max-age may ask for"),
    NUM(max_backoff, OPT_SECONDS, "6h", 1, 7 * 86400, "longest wait after repeated errors"),
    NUM(sitemap_max_age, OPT_SECONDS, "2d", 3600, 365L * 86400,
        "a sitemap's URLs, and an index's sitemaps, are taken when dated within this of the poll"),
    NUM(sitemap_max_children, OPT_COUNT, "8", 1, 1000,
        "sitemaps a sitemap index (and the indexes it names) may have fetched in one poll, "
        "newest first"),
    NUM_AT_START(connect_timeout, OPT_SECONDS, "10s", 1, 300, "connection timeout"),
    NUM_AT_START(transfer_timeout, OPT_SECONDS, "60s", 1, 3600, "whole-transfer timeout"),
    NUM_AT_START(low_speed_limit, OPT_BYTES, "64", 1, 1L << 20,
                 "bytes per second below which a transfer counts as stalled"),
    NUM_AT_START(low_speed_time, OPT_SECONDS, "20s", 1, 3600,
                 "cut a transfer that stays under low_speed_limit for this long"),
    NUM_AT_START(max_body, OPT_BYTES, "10M", 1024, 1L << 30,
                 "largest body accepted, after decompression"),
    NUM(max_transfers, OPT_COUNT, "64", 1, 10000, "concurrent transfers in all"),
    NUM_AT_START(extract_threads, OPT_COUNT, "0", 0, 256,
                 "threads that extract the articles from fetched pages, beside the one that "
                 "fetches and writes; 0: one per CPU the daemon may use"),
    NUM_AT_START(host_min_gap, OPT_MILLISECONDS, "1s", 0, 600000,
                 "least time between two requests starting to one host"),
    NUM_AT_START(max_per_host, OPT_COUNT, "2", 1, 100, "concurrent transfers to one host"),
    NUM_AT_START(max_redirects, OPT_COUNT, "5", 0, 20, "redirects followed per request"),
    BOOL_AT_START(fetch_pages, "yes",
                  "no: feeds are polled and new items kept pending, but no page is fetched "
                  "and no record written"),
    CHOICE_AT_START(robots, "obey", robots_choices,
                    "obey: an article page the site's robots.txt disallows is not fetched (the "
                    "feed's text is used); feeds themselves are fetched either way"),
    NUM_AT_START(robots_cache_sites, OPT_COUNT, "4096", 1, 1000000,
                 "sites whose robots.txt is kept; past this the one asked least recently is "
                 "forgotten (and fetched again when next needed)"),
    NUM(article_attempts, OPT_COUNT, "3", 1, 100,
        "page fetch attempts before the feed's own text is used"),
    NUM(retry_delay, OPT_SECONDS, "5m", 1, 86400, "wait before retrying a failed page fetch"),
    NUM(max_record_bytes, OPT_BYTES, "8M", 4096, 1L << 30,
        "largest record written to new/; a larger one goes to quarantine/"),
    CHOICE(copies, "mark", copies_choices,
           "another copy of an earlier story is written marked, or only listed in sources.jsonl"),
    CHOICE(content_format, "html", content_choices,
           "the article's body in records besides text: content_html (clean HTML), "
           "content_markdown, both, or neither"),
    NUM(story_window, OPT_SECONDS, "14d", 3600, 365L * 86400,
        "how long an article stays findable as the first of its story"),
    NUM(spool_max_records, OPT_COUNT, "100000", 1, 100000000,
        "article fetching pauses while new/ holds this many records"),
    NUM(spool_max_bytes, OPT_BYTES, "1G", 1024, 1L << 40,
        "article fetching pauses while new/ holds this many bytes"),
    BOOL_AT_START(archive, "no",
                  "yes: every fetched article page is kept in WARC files in the state's folder "
                  "(archive/), for `feedspool reextract`"),
    NUM_AT_START(archive_max_file_bytes, OPT_BYTES, "100M", 4096, 1L << 40,
                 "an archive file is closed and a new one begun past this size"),
    NUM_AT_START(archive_max_bytes, OPT_BYTES, "10G", 4096, 1L << 40,
                 "the oldest archive files are removed while all of them pass this size"),
    NUM_AT_START(archive_max_age, OPT_SECONDS, "90d", 60, 3650L * 86400,
                 "archive files last written longer ago than this are removed"),
    NUM(stop_timeout, OPT_SECONDS, "20s", 0, 600, "how long SIGTERM waits for in-flight work"),
    NUM(claim_timeout, OPT_SECONDS, "1h", 0, 30L * 86400,
        "a record left in cur/ this long (claimed, neither deleted nor touched) returns to new/; "
        "0: never"),
    NUM(sent_max_age, OPT_SECONDS, "7d", 0, 3650L * 86400,
        "records in sent/ written longer ago are removed; 0: no limit"),
    NUM(sent_max_files, OPT_COUNT, "100000", 0, 1000000000,
        "sent/ keeps at most this many records, the newest; 0: no limit"),
    NUM(quarantine_max_age, OPT_SECONDS, "30d", 0, 3650L * 86400,
        "records in quarantine/ written longer ago are removed; 0: no limit"),
    NUM(quarantine_max_files, OPT_COUNT, "10000", 0, 1000000000,
        "quarantine/ keeps at most this many records, the newest; 0: no limit"),
    NUM(sources_max_bytes, OPT_BYTES, "64M", 0, 1L << 40,
        "sources.jsonl is rotated to sources.jsonl.1 (.1 to .2...) at this size; 0: never"),
    NUM(sources_max_files, OPT_COUNT, "4", 0, 1000, "rotated sources.jsonl.N files kept"),
    NUM(sources_max_age, OPT_SECONDS, "30d", 0, 3650L * 86400,
        "rotated sources files last written longer ago are removed; 0: no limit"),
    NUM(spool_disk_budget, OPT_BYTES, "0", 0, 1L << 50,
        "disk the whole spool may use (new/, cur/, tmp/, sent/, quarantine/, sources): over it "
        "the oldest of sent/, rotated sources, quarantine/ go, then fetching pauses; 0: none"),
    NUM(retention_interval, OPT_SECONDS, "10m", 1, 86400,
        "how often the limits of sent/, quarantine/, sources and the disk budget are applied"),
};

static char **string_field(struct config *c, const struct option_spec *o)
{
    return (char **)((char *)c + o->offset);
}

static long *number_field(struct config *c, const struct option_spec *o)
{
    return (long *)((char *)c + o->offset);
}

static bool *bool_field(struct config *c, const struct option_spec *o)
{
    return (bool *)((char *)c + o->offset);
}

static int *choice_field(struct config *c, const struct option_spec *o)
{
    return (int *)((char *)c + o->offset);
}

/* Parses a count, a size with an optional K/M/G suffix, or a duration (common/duration.h). */
static int parse_number(const char *text, enum option_type type, long *out)
{
    if (type == OPT_SECONDS)
        return duration_parse(text, DURATION_SECONDS, out);
    if (type == OPT_MILLISECONDS)
        return duration_parse(text, DURATION_MILLISECONDS, out);
    errno = 0;
    char *end;
    long long value = strtoll(text, &end, 10);
    if (end == text || errno || value < 0)
        return -1;
    long long scale = 1;
    if (type == OPT_BYTES) {
        switch (*end) {
            case 'K':
            case 'k':
                scale = 1024;
                end++;
                break;
            case 'M':
                scale = 1024 * 1024;
                end++;
                break;
            case 'G':
                scale = 1024 * 1024 * 1024;
                end++;
                break;
            default: break;
        }
    }
    if (*end != '\0' || value > (1LL << 40) / scale)
        return -1;
    *out = (long)(value * scale);
    return 0;
}

static const struct option_spec *find_option(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(options); i++)
        if (strcmp(options[i].name, name) == 0)
            return &options[i];
    return NULL;
}

static const struct choice yes_no[] = {{"yes", true}, {"no", false}, {NULL, 0}};

/* The names an OPT_BOOL or OPT_CHOICE option takes. */
static const struct choice *choices_of(const struct option_spec *o)
{
    return o->type == OPT_BOOL ? yes_no : o->choices;
}

/* The choice named value, or NULL. */
static const struct choice *find_choice(const struct choice *choices, const char *value)
{
    for (const struct choice *ch = choices; ch->name; ch++)
        if (strcmp(ch->name, value) == 0)
            return ch;
    return NULL;
}

/* The names of the choices, '|'-separated, into out. */
static const char *choice_names(const struct choice *choices, char *out, size_t outlen)
{
    size_t used = 0;
    out[0] = '\0';
    for (const struct choice *ch = choices; ch->name && used < outlen; ch++)
        used +=
            (size_t)snprintf(out + used, outlen - used, "%s%s", ch == choices ? "" : "|", ch->name);
    return out;
}

/* Sets an option; base_dir: the folder a relative path is taken from, or NULL (as given). */
static int set_option(struct config *c, const char *key, const char *value, const char *where,
                      const char *base_dir, char *err, size_t errlen)
{
    const struct option_spec *o = find_option(key);
    if (!o) {
        const char *names[ARRAY_LEN(options)];
        for (size_t i = 0; i < ARRAY_LEN(options); i++)
            names[i] = options[i].name;
        const char *near = suggest_closest(key, names, ARRAY_LEN(names));
        if (near)
            return set_err(err, errlen, "%s: unknown option '%s' (did you mean %s?)", where, key,
                           near);
        return set_err(err, errlen, "%s: unknown option '%s' (`feedspool help config` lists them)",
                       where, key);
    }
    if (c->origins) {
        free(c->origins[o - options]);
        c->origins[o - options] = xstrdup(where);
    }
    switch (o->type) {
        case OPT_STRING:
            if (o->check) {
                char why[256];
                if (o->check(value, why, sizeof why) < 0)
                    return set_err(err, errlen, "%s: %s: %s", where, key, why);
            }
            free(*string_field(c, o));
            *string_field(c, o) =
                o->path && base_dir && *value && value[0] != '/' && strcmp(value, "-") != 0
                    ? xasprintf("%s/%s", base_dir, value)
                    : xstrdup(value);
            return 0;
        case OPT_BOOL:
        case OPT_CHOICE: {
            const struct choice *ch = find_choice(choices_of(o), value);
            if (!ch && o->aliases)
                ch = find_choice(o->aliases, value);
            if (!ch) {
                char names[128];
                return set_err(err, errlen, "%s: %s must be one of %s, not '%s'", where, key,
                               choice_names(choices_of(o), names, sizeof names), value);
            }
            if (o->type == OPT_BOOL)
                *bool_field(c, o) = ch->value;
            else
                *choice_field(c, o) = ch->value;
            return 0;
        }
        case OPT_COUNT:
        case OPT_SECONDS:
        case OPT_MILLISECONDS:
        case OPT_BYTES: {
            long n;
            if (parse_number(value, o->type, &n) < 0)
                return set_err(err, errlen, "%s: %s: '%s' is not a %s", where, key, value,
                               o->type == OPT_SECONDS        ? "duration (e.g. 30s, 15m, 2h)"
                               : o->type == OPT_MILLISECONDS ? "duration (e.g. 500ms, 2s)"
                               : o->type == OPT_BYTES        ? "size (e.g. 512K, 10M)"
                                                             : "whole number");
            if (n < o->min || n > o->max)
                return set_err(err, errlen, "%s: %s = %ld is outside %ld..%ld", where, key, n,
                               o->min, o->max);
            *number_field(c, o) = n;
            return 0;
        }
    }
    return set_err(err, errlen, "%s: internal error for option '%s'", where, key);
}

int config_set(struct config *c, const char *key, const char *value, const char *where, char *err,
               size_t errlen)
{
    return set_option(c, key, value, where, NULL, err, errlen);
}

char *config_user_agent(const struct config *c)
{
    if (c->contact_url && *c->contact_url)
        return xasprintf("%s (+%s)", c->user_agent, c->contact_url);
    return xstrdup(c->user_agent);
}

const char *config_origin(const struct config *c, const char *key)
{
    const struct option_spec *o = find_option(key);
    return o && c->origins && c->origins[o - options] ? c->origins[o - options] : key;
}

void config_init(struct config *c)
{
    memset(c, 0, sizeof *c);
    c->origins = xcalloc(ARRAY_LEN(options), sizeof *c->origins);
    for (size_t i = 0; i < ARRAY_LEN(options); i++) {
        char err[256];
        if (config_set(c, options[i].name, options[i].default_value, "default", err, sizeof err) <
            0)
            abort(); /* a default that does not parse is a bug in the table */
    }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return set_err(err, errlen, "%s: cannot open: %s", path, strerror(errno));
    int rc = config_read(c, f, path, err, errlen);
    fclose(f);
    return rc;
}

/* Adds one more "FILE:LINE: reason" line to err. */
static void add_problem(char *err, size_t errlen, const char *problem)
{
    if (!err || !errlen)
        return;
    size_t used = strlen(err);
    if (used + 1 + strlen(problem) < errlen)
        snprintf(err + used, errlen - used, "%s%s", used ? "\n" : "", problem);
}

int config_read(struct config *c, FILE *f, const char *path, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int rc = 0;
    const char *slash = strrchr(path, '/');
    char *base_dir =
        slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    if (err && errlen)
        err[0] = '\0';
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *text = trim(line);
        if (!*text)
            continue;
        char where[512];
        snprintf(where, sizeof where, "%s:%u", path, lineno);
        char *eq = strchr(text, '=');
        char problem[1024];
        if (!eq) {
            snprintf(problem, sizeof problem, "%s: expected 'key = value'", where);
            add_problem(err, errlen, problem);
            rc = -1;
            continue;
        }
        *eq = '\0';
        char *value = trim(eq + 1);
        size_t vlen = strlen(value);
        if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
            value[vlen - 1] = '\0';
            value++;
        }
        if (set_option(c, trim(text), value, where, base_dir, problem, sizeof problem) < 0) {
            add_problem(err, errlen, problem);
            rc = -1;
        }
    }
    free(line);
    free(base_dir);
    return rc;
}

void config_free(struct config *c)
{
    for (size_t i = 0; c->origins && i < ARRAY_LEN(options); i++)
        free(c->origins[i]);
    free(c->origins);
    c->origins = NULL;
    for (size_t i = 0; i < ARRAY_LEN(options); i++)
        if (options[i].type == OPT_STRING) {
            free(*string_field(c, &options[i]));
            *string_field(c, &options[i]) = NULL;
        }
}

char *config_restart_only_changes(const struct config *a, const struct config *b)
{
    struct buf names;
    buf_init(&names, 0);
    for (size_t i = 0; i < ARRAY_LEN(options); i++) {
        const struct option_spec *o = &options[i];
        if (!o->at_start)
            continue;
        struct config *x = (struct config *)a, *y = (struct config *)b;
        bool differ;
        if (o->type == OPT_STRING) {
            const char *sx = *string_field(x, o), *sy = *string_field(y, o);
            differ = strcmp(sx ? sx : "", sy ? sy : "") != 0;
        } else if (o->type == OPT_BOOL) {
            differ = *bool_field(x, o) != *bool_field(y, o);
        } else if (o->type == OPT_CHOICE) {
            differ = *choice_field(x, o) != *choice_field(y, o);
        } else {
            differ = *number_field(x, o) != *number_field(y, o);
        }
        if (differ) {
            buf_append_str(&names, names.len ? ", " : "");
            buf_append_str(&names, o->name);
        }
    }
    return names.len ? buf_steal(&names) : (buf_free(&names), NULL);
}

void config_fingerprint(const struct config *c, char out[HASH_HEX_LEN + 1])
{
    struct buf text;
    buf_init(&text, 0);
    for (size_t i = 0; i < ARRAY_LEN(options); i++) {
        const struct option_spec *o = &options[i];
        char number[32];
        const char *value = number;
        struct config *cc = (struct config *)c;
        if (o->type == OPT_STRING)
            value = *string_field(cc, o);
        else if (o->type == OPT_BOOL)
            snprintf(number, sizeof number, "%d", *bool_field(cc, o));
        else if (o->type == OPT_CHOICE)
            snprintf(number, sizeof number, "%d", *choice_field(cc, o));
        else
            snprintf(number, sizeof number, "%ld", *number_field(cc, o));
        buf_append_str(&text, o->name);
        buf_append_char(&text, '=');
        buf_append_str(&text, value ? value : "");
        buf_append_char(&text, '\n');
    }
    hash_sha256_hex(text.data, text.len, out);
    buf_free(&text);
}

void config_print_help(FILE *out)
{
    fprintf(out, "Configuration options (file: key = value; command line: --set key=value):\n");
    for (size_t i = 0; i < ARRAY_LEN(options); i++) {
        const struct choice *choices = choices_of(&options[i]);
        char names[128] = "", aliases[128] = "";
        if (choices)
            choice_names(choices, names, sizeof names);
        if (options[i].aliases) {
            char list[96];
            snprintf(aliases, sizeof aliases, " (also %s)",
                     choice_names(options[i].aliases, list, sizeof list));
        }
        fprintf(out, "  %-17s %s%s%s%s (default: %s)%s\n", options[i].name, options[i].help,
                names[0] ? ": " : "", names, aliases,
                options[i].default_value[0] ? options[i].default_value : "none",
                options[i].at_start ? "; read at start only" : "");
    }
}

/* Writes text for roff running text: backslashes and hyphens escaped. */
static void roff_text(FILE *out, const char *text)
{
    for (const char *p = text; *p; p++)
        if (*p == '\\')
            fputs("\\e", out);
        else if (*p == '-')
            fputs("\\-", out);
        else
            putc(*p, out);
}

static const char *type_words(enum option_type type)
{
    switch (type) {
        case OPT_STRING: return "text";
        case OPT_COUNT: return "a whole number";
        case OPT_SECONDS: return "a duration: a number with ms, s, m, h or d (seconds when bare)";
        case OPT_MILLISECONDS:
            return "a duration: a number with ms, s, m, h or d (milliseconds when bare)";
        case OPT_BYTES: return "a size: a number of bytes, or with K, M or G";
        case OPT_BOOL:
        case OPT_CHOICE: return "one of";
    }
    return "";
}

void config_print_man(FILE *out, const char *version)
{
    fprintf(out,
            ".\\\" feedspool.conf(5), generated by `feedspool help config --man` from the option\n"
            ".\\\" table in config/config.c (the same table that parses the file).\n"
            ".TH FEEDSPOOL.CONF 5 \"\" \"feedspool %s\" \"File Formats\"\n"
            ".SH NAME\nfeedspool.conf \\- configuration of the feedspool daemon\n"
            ".SH SYNOPSIS\n/etc/feedspool/feedspool.conf\n"
            ".SH DESCRIPTION\nOne option per line, \\fIkey\\fR = \\fIvalue\\fR; text after "
            "# is a comment, blank lines are ignored, and a value may be put in double "
            "quotes. An option not given keeps its default. Every command that reads the "
            "file (\\fB\\-c\\fR \\fIFILE\\fR) also takes \\fB\\-\\-set\\fR "
            "\\fIkey\\fR=\\fIvalue\\fR on the command line. \\fBfeedspool check\\fR "
            "validates a file; SIGHUP makes the daemon read it again, except for the "
            "options marked \\(lqread at start only\\(rq, which keep their values until the "
            "next start.\n.SH OPTIONS\n",
            version);
    for (size_t i = 0; i < ARRAY_LEN(options); i++) {
        const struct option_spec *o = &options[i];
        fprintf(out, ".TP\n.B %s\n", o->name);
        roff_text(out, o->help);
        fprintf(out, ".\n.br\nValue: %s", type_words(o->type));
        const struct choice *choices = choices_of(o);
        if (choices) {
            char names[256];
            fputc(' ', out);
            roff_text(out, choice_names(choices, names, sizeof names));
        }
        if (o->type != OPT_STRING && !choices)
            fprintf(out, ", from %ld to %ld%s", o->min, o->max,
                    o->type == OPT_SECONDS        ? " seconds"
                    : o->type == OPT_MILLISECONDS ? " milliseconds"
                    : o->type == OPT_BYTES        ? " bytes"
                                                  : "");
        fprintf(out, ". Default: ");
        if (o->default_value[0]) {
            fputs("\\fB", out);
            roff_text(out, o->default_value);
            fputs("\\fR", out);
        } else {
            fputs("none", out);
        }
        fprintf(out, ".%s\n", o->at_start ? " Read at start only." : "");
    }
    fprintf(out, ".SH FILES\n.TP\n.I /etc/feedspool/feedspool.conf\nthe file read by the systemd "
                 "unit\n.TP\n.I /etc/default/feedspool\nenvironment of the unit (for example "
                 "https_proxy)\n.SH SEE ALSO\n\\fBfeedspool\\fR(1)\n");
}
