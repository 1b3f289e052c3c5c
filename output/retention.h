/* retention.h: how much the spool keeps of what no consumer needs any more.
 *
 * sent/ (records JetStream acknowledged), quarantine/ (records refused) and sources.jsonl
 * (copies not written as records) would grow without end. A pass of retention_prune():
 *   - sent/ and quarantine/: files older than their max age, then the oldest past their max
 *     count, are removed (a file's age is its modification time's: when the record was
 *     written, which a move into sent/ keeps; `touch` keeps a file longer);
 *   - sources.jsonl is rotated to sources.jsonl.1 (.1 to .2, ...) once it holds
 *     sources_max_bytes; rotated files past sources_max_files, or last written longer than
 *     sources_max_age ago, are removed;
 *   - the disk budget counts every file of the spool as du does (allocated blocks): new/,
 *     cur/, tmp/, sent/, quarantine/ and the sources files. Over it, the oldest of sent/ go
 *     first, then the oldest rotated sources files, then the oldest of quarantine/, until the
 *     spool is back to 90% of the budget. Records in new/ and cur/, files in tmp/ and the
 *     live sources.jsonl are never removed: when they alone exceed it, over_budget says so.
 * A pass reads each folder twice at most (once for the times and sizes, once more to remove
 * what is due), holding 16 bytes per file; nothing is done per record written. It keeps no
 * state between calls and touches only files, so the daemon runs it on a thread of its own
 * (ingest/prune.c). */
#ifndef FEEDSPOOL_OUTPUT_RETENTION_H
#define FEEDSPOOL_OUTPUT_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* 0 in any field: no limit of that kind. */
struct retention_limits {
    long sent_max_age; /* seconds */
    long sent_max_files;
    long quarantine_max_age;
    long quarantine_max_files;
    long long sources_max_bytes; /* rotate sources.jsonl at this size */
    long sources_max_files;      /* rotated files kept (always limited: 0 keeps none) */
    long sources_max_age;
    long long disk_budget; /* bytes of the whole spool */
};

/* What can be removed, in the order the budget removes it. */
enum retention_folder {
    RETENTION_SENT,
    RETENTION_SOURCES,
    RETENTION_QUARANTINE,
    RETENTION_FOLDERS
};

struct retention_report {
    long removed[RETENTION_FOLDERS]; /* files */
    long long removed_bytes[RETENTION_FOLDERS];
    bool rotated;          /* sources.jsonl was rotated */
    long long disk_bytes;  /* the whole spool after the pass */
    long long undeletable; /* of which new/, cur/, tmp/ and the live sources.jsonl */
    bool over_budget;      /* still over the budget after removing everything removable */
};

/* "sent", "sources", "quarantine": in metric labels and log lines. */
const char *retention_folder_name(enum retention_folder f);
/* One pass over the spool at dir (made by spool_open). Returns 0, or -1 with the reason in
 * err (what was removed before the failure is in the report). */
int retention_prune(const char *dir, const struct retention_limits *limits, time_t now,
                    struct retention_report *report, char *err, size_t errlen);

#endif
