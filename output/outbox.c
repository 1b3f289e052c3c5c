/* outbox.c: new/ listed oldest first into each sink's lane, records handed out, marked done
 * per lane, and moved on once every lane is done (see outbox.h). */
#include "output/outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/util.h"
#include "output/record.h"
#include "output/spool.h"

#define ID_MAX OUTBOX_ID_MAX
#define RECORD_MAX_BYTES (1L << 30) /* far above any record the spool writes */

/* The folders the outbox moves records between, opened once (no path walk per record). */
enum folder { FOLDER_NEW, FOLDER_SENT, FOLDER_QUARANTINE, FOLDERS };
static const char *const folder_names[FOLDERS] = {"new", "sent", "quarantine"};

#define DONE_ATTR_PREFIX "user.feedspool.done."
#define NOTE_MAX 4096 /* a note is a few ids; a longer attribute is ignored (parsed instead) */

/* What a lane left on a record it finished, in its done attribute. */
#define DONE_SENT "sent"
#define DONE_REFUSED "refused"

struct outbox_lane {
    struct outbox *ob;
    char done_attr[sizeof DONE_ATTR_PREFIX + OUTBOX_LANE_NAME_MAX];
    char **queue; /* record ids to hand out, oldest first, from head on (a deque) */
    size_t head, len, cap;
};

struct outbox {
    int folder_fd[FOLDERS];
    char *new_path; /* SPOOL/new: extended attributes are set by path */
    bool delete_sent;
    struct outbox_lane *lanes;
    size_t n_lanes;
};

/* A record's id, with ".rN" for a later revision: the Nats-Msg-Id, so that JetStream
 * deduplicates each revision on its own. */
static bool is_record_id(const char *s, size_t n)
{
    return n <= ID_MAX && record_file_stem_valid(s, n);
}

/* "<id>.json" into name. */
static void record_name(char name[ID_MAX + 6], const char *id)
{
    snprintf(name, ID_MAX + 6, "%s.json", id);
}

static void push_back(struct outbox_lane *lane, const char *id)
{
    if (lane->head + lane->len == lane->cap) {
        if (lane->head > lane->cap / 2) {
            memmove(lane->queue, lane->queue + lane->head, lane->len * sizeof *lane->queue);
            lane->head = 0;
        } else {
            lane->cap = lane->cap ? lane->cap * 2 : 256;
            lane->queue = xrealloc(lane->queue, lane->cap * sizeof *lane->queue);
        }
    }
    lane->queue[lane->head + lane->len++] = xstrdup(id);
}

enum fate { TO_SENT, TO_QUARANTINE, DELETED };

struct listed {
    char *id;
    struct timespec written;
};

static int by_time_written(const void *a, const void *b)
{
    const struct listed *x = a, *y = b;
    if (x->written.tv_sec != y->written.tv_sec)
        return x->written.tv_sec < y->written.tv_sec ? -1 : 1;
    if (x->written.tv_nsec != y->written.tv_nsec)
        return x->written.tv_nsec < y->written.tv_nsec ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int move_on(struct outbox *ob, const char *id, enum fate fate, char *err, size_t errlen);

/* SPOOL/new/<id>.json as a path, for the extended attribute calls. Caller frees. */
static char *new_file_path(const struct outbox *ob, const char *id)
{
    return xasprintf("%s/%s.json", ob->new_path, id);
}

/* What lane left on the record at path: 's' sent, 'r' refused, 0 nothing (not finished). */
static char lane_mark(const struct outbox_lane *lane, const char *path)
{
    char value[16];
    ssize_t n = lgetxattr(path, lane->done_attr, value, sizeof value - 1);
    if (n <= 0)
        return 0;
    value[n] = '\0';
    return strcmp(value, DONE_REFUSED) == 0 ? 'r' : 's';
}

/* Whether every lane finished the record at path; *refused when one refused it. */
static bool every_lane_done(const struct outbox *ob, const char *path, bool *refused)
{
    *refused = false;
    for (size_t i = 0; i < ob->n_lanes; i++) {
        char mark = lane_mark(&ob->lanes[i], path);
        if (!mark)
            return false;
        *refused |= mark == 'r';
    }
    return true;
}

/* Queues the records in new/ in the order they were written, each in the lanes that have
 * not finished it; one that every lane finished is moved on. */
static int list_new(struct outbox *ob, char *err, size_t errlen)
{
    int fd = dup(ob->folder_fd[FOLDER_NEW]);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        return set_err(err, errlen, "cannot list new/: %s", strerror(saved));
    }
    struct listed *all = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0 ||
            !is_record_id(e->d_name, len - 5))
            continue;
        struct stat st;
        if (fstatat(ob->folder_fd[FOLDER_NEW], e->d_name, &st, 0) == 0 && S_ISREG(st.st_mode)) {
            if (n == cap)
                all = xrealloc(all, (cap = cap ? cap * 2 : 256) * sizeof *all);
            all[n++] = (struct listed){.id = xstrndup(e->d_name, len - 5), .written = st.st_mtim};
        }
    }
    closedir(d);
    if (n)
        qsort(all, n, sizeof *all, by_time_written);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = new_file_path(ob, all[i].id);
        bool refused;
        if (every_lane_done(ob, path, &refused)) {
            char why[512];
            if (move_on(ob, all[i].id,
                        refused           ? TO_QUARANTINE
                        : ob->delete_sent ? DELETED
                                          : TO_SENT,
                        why, sizeof why) < 0 &&
                rc == 0)
                rc = set_err(err, errlen, "%s", why);
        } else {
            for (size_t l = 0; l < ob->n_lanes; l++)
                if (!lane_mark(&ob->lanes[l], path))
                    push_back(&ob->lanes[l], all[i].id);
        }
        free(path);
        free(all[i].id);
    }
    free(all);
    return rc;
}

/* Several lanes keep their marks in extended attributes: refuse a file system without them
 * now rather than resend everything after each crash. */
static int check_marks_possible(const struct outbox *ob, char *err, size_t errlen)
{
    if (ob->n_lanes < 2)
        return 0;
    const char *probe = DONE_ATTR_PREFIX "probe";
    if (lsetxattr(ob->new_path, probe, "", 0, 0) < 0)
        return set_err(err, errlen,
                       "%s: cannot set a user extended attribute (%s): more than one sink needs "
                       "them to mark which sink has which record",
                       ob->new_path, strerror(errno));
    lremovexattr(ob->new_path, probe);
    return 0;
}

struct outbox *outbox_open(const char *spool_dir, bool delete_sent, const char *const *lane_names,
                           size_t n_lanes, char *err, size_t errlen)
{
    struct outbox *ob = xcalloc(1, sizeof *ob);
    ob->delete_sent = delete_sent;
    ob->new_path = xasprintf("%s/new", spool_dir);
    ob->lanes = xcalloc(n_lanes ? n_lanes : 1, sizeof *ob->lanes);
    ob->n_lanes = n_lanes;
    for (size_t i = 0; i < n_lanes; i++) {
        ob->lanes[i].ob = ob;
        snprintf(ob->lanes[i].done_attr, sizeof ob->lanes[i].done_attr, "%s%.*s", DONE_ATTR_PREFIX,
                 OUTBOX_LANE_NAME_MAX, lane_names[i]);
    }
    for (int f = 0; f < FOLDERS; f++)
        ob->folder_fd[f] = -1;
    for (int f = 0; f < FOLDERS; f++) {
        char *dir = xasprintf("%s/%s", spool_dir, folder_names[f]);
        if ((mkdir(dir, 0750) < 0 && errno != EEXIST) ||
            (ob->folder_fd[f] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
            set_err(err, errlen, "cannot open %s: %s", dir, strerror(errno));
            free(dir);
            outbox_close(ob);
            return NULL;
        }
        free(dir);
    }
    if (check_marks_possible(ob, err, errlen) < 0 || list_new(ob, err, errlen) < 0) {
        outbox_close(ob);
        return NULL;
    }
    return ob;
}

void outbox_close(struct outbox *ob)
{
    if (!ob)
        return;
    for (size_t l = 0; l < ob->n_lanes; l++) {
        struct outbox_lane *lane = &ob->lanes[l];
        for (size_t i = 0; i < lane->len; i++)
            free(lane->queue[lane->head + i]);
        free(lane->queue);
    }
    free(ob->lanes);
    for (int f = 0; f < FOLDERS; f++)
        if (ob->folder_fd[f] >= 0)
            close(ob->folder_fd[f]);
    free(ob->new_path);
    free(ob);
}

struct outbox_lane *outbox_lane(struct outbox *ob, size_t index)
{
    return &ob->lanes[index];
}

size_t outbox_queued(const struct outbox_lane *lane)
{
    return lane->len;
}

void outbox_add(struct outbox *ob, const char *record_id)
{
    if (record_id && is_record_id(record_id, strlen(record_id)))
        for (size_t l = 0; l < ob->n_lanes; l++)
            push_back(&ob->lanes[l], record_id);
}

void outbox_retry(struct outbox_lane *lane, char *const *ids, size_t n)
{
    if (lane->head < n) {
        size_t need = lane->len + n;
        if (need > lane->cap) {
            lane->cap = need * 2;
            lane->queue = xrealloc(lane->queue, lane->cap * sizeof *lane->queue);
        }
        memmove(lane->queue + n, lane->queue + lane->head, lane->len * sizeof *lane->queue);
        lane->head = n;
    }
    lane->head -= n;
    for (size_t i = 0; i < n; i++)
        lane->queue[lane->head + i] = xstrdup(ids[i]);
    lane->len += n;
}

/* The note spool_note_staged() left on the open file fd, parsed; NULL when there is none. */
static json_t *read_note(int fd)
{
    char text[NOTE_MAX];
    ssize_t n = fgetxattr(fd, SPOOL_NOTE_ATTR, text, sizeof text);
    if (n <= 0)
        return NULL;
    json_t *note = json_loadb(text, (size_t)n, 0, NULL);
    if (!json_is_object(note)) {
        json_decref(note);
        return NULL;
    }
    return note;
}

/* The bytes of new/<name> (NUL-terminated, the caller frees) and their length, and its note
 * in *note (or NULL); or NULL with errno set (ENOENT: gone, claimed by a consumer or already
 * sent). */
static char *read_new(const struct outbox *ob, const char *name, size_t *len, json_t **note)
{
    *note = NULL;
    int fd = openat(ob->folder_fd[FOLDER_NEW], name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    *note = read_note(fd);
    struct stat st;
    char *data = NULL;
    size_t have = 0;
    int rc = fstat(fd, &st);
    if (rc == 0 && st.st_size >= RECORD_MAX_BYTES) {
        errno = EFBIG;
        rc = -1;
    }
    if (rc == 0) {
        size_t cap = (size_t)st.st_size + 1; /* one more: a short read is the end */
        data = xmalloc(cap + 1);
        ssize_t n;
        while ((n = read(fd, data + have, cap - have)) > 0) {
            have += (size_t)n;
            if (have == cap && cap >= (size_t)RECORD_MAX_BYTES) { /* grew while read */
                errno = EFBIG;
                n = -1;
                break;
            }
            if (have == cap)
                data = xrealloc(data, (cap *= 2) + 1);
        }
        if (n < 0) {
            free(data);
            data = NULL;
        }
    }
    if (!data) {
        json_decref(*note);
        *note = NULL;
    }
    int saved = errno;
    close(fd);
    errno = saved;
    if (data) {
        data[have] = '\0';
        *len = have;
    }
    return data;
}

/* new/<id>.json leaves new/: into sent/ or quarantine/, or deleted. */
static int move_on(struct outbox *ob, const char *id, enum fate fate, char *err, size_t errlen)
{
    if (!is_record_id(id, strlen(id)))
        return set_err(err, errlen, "'%s' is not a record id", id);
    char name[ID_MAX + 6];
    record_name(name, id);
    int new_fd = ob->folder_fd[FOLDER_NEW];
    int rc = fate == DELETED
                 ? unlinkat(new_fd, name, 0)
                 : renameat(new_fd, name,
                            ob->folder_fd[fate == TO_SENT ? FOLDER_SENT : FOLDER_QUARANTINE], name);
    if (rc < 0 && errno != ENOENT) /* ENOENT: gone already (claimed by a consumer) */
        return set_err(err, errlen, "new/%s: cannot %s: %s", name,
                       fate == DELETED   ? "delete it"
                       : fate == TO_SENT ? "move it to sent/"
                                         : "move it to quarantine/",
                       strerror(errno));
    return 0;
}

int outbox_next(struct outbox_lane *lane, struct outbox_record *out, char *err, size_t errlen)
{
    struct outbox *ob = lane->ob;
    memset(out, 0, sizeof *out);
    while (lane->len) {
        char *id = lane->queue[lane->head++];
        lane->len--;
        if (lane->len == 0)
            lane->head = 0;
        char name[ID_MAX + 6];
        record_name(name, id);
        size_t len = 0;
        json_t *note;
        char *data = read_new(ob, name, &len, &note);
        if (!data) {
            int why = errno;
            if (why == ENOENT) { /* gone: claimed by a consumer, or already sent */
                free(id);
                continue;
            }
            set_err(err, errlen, "cannot read new/%s: %s", name, strerror(why));
            free(id);
            return -1;
        }
        if (!note) { /* not written by feedspool's spool_stage(), or its note was lost */
            json_error_t jerr;
            json_t *json = json_loadb(data, len, 0, &jerr);
            if (!json_is_object(json)) {
                json_decref(json);
                free(data);
                char moved[256] = "";
                int rc = move_on(ob, id, TO_QUARANTINE, moved, sizeof moved);
                set_err(err, errlen, "new/%s is not a JSON record (%s), %s", name,
                        json ? "not an object" : jerr.text,
                        rc < 0 ? moved : "moved to quarantine/");
                free(id);
                return -1;
            }
            note = record_outbox_note(json);
            json_decref(json);
        }
        *out = (struct outbox_record){.id = id, .data = data, .len = len, .note = note};
        out->n_topics = record_note_fields(note, &out->topics, &out->story, &out->schema_version);
        return 1;
    }
    return 0;
}

/* lane is done with record_id (mark: DONE_SENT or DONE_REFUSED); the record moves on when
 * every lane is. */
static int lane_done(struct outbox_lane *lane, const char *record_id, const char *mark, char *err,
                     size_t errlen)
{
    struct outbox *ob = lane->ob;
    bool refused = strcmp(mark, DONE_REFUSED) == 0;
    if (ob->n_lanes == 1)
        return move_on(ob, record_id,
                       refused           ? TO_QUARANTINE
                       : ob->delete_sent ? DELETED
                                         : TO_SENT,
                       err, errlen);
    if (!is_record_id(record_id, strlen(record_id)))
        return set_err(err, errlen, "'%s' is not a record id", record_id);
    char *path = new_file_path(ob, record_id);
    int rc = 0;
    if (lsetxattr(path, lane->done_attr, mark, strlen(mark), 0) < 0) {
        if (errno != ENOENT) /* gone already (claimed by a consumer) */
            rc = set_err(err, errlen, "new/%s.json: cannot mark it done: %s", record_id,
                         strerror(errno));
    } else if (every_lane_done(ob, path, &refused)) {
        rc = move_on(ob, record_id,
                     refused           ? TO_QUARANTINE
                     : ob->delete_sent ? DELETED
                                       : TO_SENT,
                     err, errlen);
    }
    free(path);
    return rc;
}

int outbox_sent(struct outbox_lane *lane, const char *record_id, char *err, size_t errlen)
{
    return lane_done(lane, record_id, DONE_SENT, err, errlen);
}

int outbox_refused(struct outbox_lane *lane, const char *record_id, char *err, size_t errlen)
{
    return lane_done(lane, record_id, DONE_REFUSED, err, errlen);
}

void outbox_record_free(struct outbox_record *r)
{
    free(r->id);
    free(r->data);
    free(r->topics);
    json_decref(r->note);
    memset(r, 0, sizeof *r);
}
