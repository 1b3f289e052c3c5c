/* config.h: feedspool's configuration, described by one declarative option table.
 *
 * The file format is `key = value` lines with `#` comments. The same table
 * yields the parser, the defaults, the help text (`feedspool help config`) and
 * the unknown-option error, so an option exists in exactly one place.
 * A struct config owns its strings; config_free() releases them. */
#ifndef FEEDSPOOL_CONFIG_CONFIG_H
#define FEEDSPOOL_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "common/hash.h"
#include "common/log.h"

#define CONFIG_DEFAULT_PATH "/etc/feedspool/feedspool.conf"

/* published: what becomes of a record every sink has. */
enum config_published { CONFIG_PUBLISHED_MOVE, CONFIG_PUBLISHED_DELETE };
/* copies: what is written for another copy of an earlier story. */
enum config_copies { CONFIG_COPIES_MARK, CONFIG_COPIES_FIRST };
/* robots: whether article page fetches honour the site's robots.txt. */
enum config_robots { CONFIG_ROBOTS_OBEY, CONFIG_ROBOTS_IGNORE };
/* content_format: the article's body in records besides text (bits: html 1, markdown 2). */
enum config_content {
    CONFIG_CONTENT_TEXT = 0,
    CONFIG_CONTENT_HTML = 1,
    CONFIG_CONTENT_MARKDOWN = 2,
    CONFIG_CONTENT_HTML_MARKDOWN = 3
};

struct config {
    char *feeds;  /* feed list file */
    char *topics; /* topic rules file */
    char *shard;  /* "I/N": this daemon polls the feeds of its shard only; "": all */
    char *spool;  /* spool directory (tmp/, new/, cur/) */
    char *state;  /* SQLite state database */
    char *user_agent;
    char *contact_url; /* appended to the User-Agent when set */
    enum log_level log_level;
    enum log_format log_format;
    char *jsonl_file;        /* JSON Lines sink (sink/jsonl.c): a file, "-" for stdout, "" off */
    long jsonl_rotate_bytes; /* rotate before the file would pass this size; 0: never */
    long jsonl_keep;         /* rotated files kept */
    char *webhook_url;       /* webhook sink (sink/webhook.c): URL records are POSTed to, "" off */
    long webhook_batch;      /* records a request */
    char *nats_servers;      /* JetStream sink (sink/jetstream.c): servers; "" means off */
    char *nats_stream;       /* expected stream, or "" */
    char *nats_subject;      /* subject template, <topic> replaced */
    char *nats_credentials;  /* .creds file, or "" */
    enum config_published published; /* move to sent/, or delete, once acknowledged */
    long nats_max_in_flight;
    char *metrics_address; /* HOST:PORT on loopback for /metrics and /healthz; empty: off */
    char *allow_networks;  /* address ranges article fetches may reach besides public ones */
    char *credentials;     /* file of per-URL-prefix HTTP credentials; empty: systemd's, if any */
    long poll_interval;    /* seconds, default per feed */
    long poll_jitter;      /* seconds: first polls spread over [0, jitter) */
    long max_backoff;      /* seconds: cap on error backoff */
    long sitemap_max_age;  /* seconds: older sitemap URLs and sitemaps are not taken */
    long sitemap_max_children; /* sitemaps an index may have fetched in one poll */
    long max_poll_interval; /* seconds: how far a feed's ttl or max-age may stretch its interval */
    long connect_timeout;   /* seconds */
    long transfer_timeout;  /* seconds, whole transfer */
    long low_speed_limit;   /* bytes/s: slower counts as stalled */
    long low_speed_time;    /* seconds stalled before a transfer is cut */
    long max_body;          /* bytes, after decompression */
    long max_record_bytes;  /* larger records go to quarantine/, not new/ */
    enum config_copies copies; /* mark: every copy of a story is written; first: the first only */
    enum config_robots robots; /* obey: a page robots.txt disallows is not fetched */
    long robots_cache_sites;   /* sites whose robots.txt is held at most */
    enum config_content content_format; /* content_html and/or content_markdown in records */
    long story_window;  /* seconds an article stays findable as the start of a story */
    long max_transfers; /* concurrent transfers in all */
    long max_per_host;  /* concurrent transfers per host */
    long host_min_gap;  /* milliseconds between request starts to one host */
    long max_redirects;
    long extract_threads;        /* threads extracting articles from pages; 0: one per CPU */
    bool fetch_pages;            /* false: new items stay pending, no page is fetched */
    long article_attempts;       /* fetch attempts before falling back to the feed's own text */
    long retry_delay;            /* seconds before a failed article fetch is retried */
    long stop_timeout;           /* seconds SIGTERM waits for in-flight work */
    long spool_max_records;      /* backpressure: article fetching pauses past this depth of new/ */
    long spool_max_bytes;        /* ... or past this many bytes in new/ */
    bool archive;                /* keep every fetched page in WARC files (docs/archive.md) */
    long archive_max_file_bytes; /* rotate an archive file past this size */
    long archive_max_bytes;      /* remove the oldest archive files past this total */
    long archive_max_age;        /* ... and those last written longer ago (seconds) */
    long claim_timeout; /* seconds a claim in cur/ may last before it returns to new/; 0: never */
    /* Retention (output/retention.h); 0: no limit of that kind. */
    long sent_max_age; /* seconds */
    long sent_max_files;
    long quarantine_max_age; /* seconds */
    long quarantine_max_files;
    long sources_max_bytes;  /* rotate sources.jsonl at this size */
    long sources_max_files;  /* rotated files kept */
    long sources_max_age;    /* seconds */
    long spool_disk_budget;  /* bytes of the whole spool */
    long retention_interval; /* seconds between passes */
    char **origins;          /* where each option was last set; see config_origin() */
};

/* Fills c with the defaults. */
void config_init(struct config *c);
/* Reads path over the current values. A relative path in a path option (feeds, topics,
 * spool, state, credentials, nats_credentials) is taken from the file's folder. Every line
 * is read: returns 0, or -1 with one "FILE:LINE: reason" line per problem in err (as many
 * as fit, separated by newlines); the lines without problems took effect. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* The same from an open stream; path names it in errors. */
int config_read(struct config *c, FILE *f, const char *path, char *err, size_t errlen);
/* Applies one "key=value" (command-line --set); where names the source in errors. A
 * mistyped key gets the nearest known one as a "did you mean". */
int config_set(struct config *c, const char *key, const char *value, const char *where, char *err,
               size_t errlen);
void config_free(struct config *c);
/* Where key was last set: "FILE:LINE", the --set or flag that set it, or "default"; key
 * itself when unknown. For errors found after parsing (allow_networks, credentials). */
const char *config_origin(const struct config *c, const char *key);
/* The User-Agent every request carries: user_agent, with contact_url in a comment of its own,
 * "product (+contact)", as RFC 9110 allows. Caller frees. */
char *config_user_agent(const struct config *c);
/* The check of metrics_address, the same for `check` and `run`: empty (off), or HOST:PORT
 * (an IPv6 host in brackets) with a port from 1 to 65535. Returns 0, or -1 with the reason in
 * err. */
int config_check_metrics_address(const char *value, char *err, size_t errlen);
/* Splits a metrics_address that passed the check: *host (brackets removed; the caller frees
 * it) and *port. Returns 0, or -1 with the reason in err. */
int config_split_address(const char *value, char **host, long *port, char *err, size_t errlen);
/* Names of the options whose new value takes effect only at the next start (the spool,
 * the state and the fetcher's settings) that differ between a and b, comma-separated,
 * or NULL when none does. Caller frees. */
char *config_restart_only_changes(const struct config *a, const struct config *b);
/* A hash of every option's value: it changes when any option does. */
void config_fingerprint(const struct config *c, char out[HASH_HEX_LEN + 1]);
/* Prints every option with its default and help, for --help. */
void config_print_help(FILE *out);

/* Prints feedspool.conf(5), the manual page of every option, as roff. */
void config_print_man(FILE *out, const char *version);

#endif
