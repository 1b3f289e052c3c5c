/* outbox.c: new/ listed oldest first, records handed out and moved on (see outbox.h). */
#include "output/outbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "output/record.h"

#define ID_MAX OUTBOX_ID_MAX
#define RECORD_MAX_BYTES (1L << 30) /* far above any record the spool writes */

/* The folders the outbox moves records between, opened once (no path walk per record). */
enum folder { FOLDER_NEW, FOLDER_SENT, FOLDER_QUARANTINE, FOLDERS };
static const char *const folder_names[FOLDERS] = {"new", "sent", "quarantine"};

struct outbox {
    int folder_fd[FOLDERS];
    bool delete_sent;
    char **queue; /* record ids to hand out, oldest first, from head on (a deque) */
    size_t head, len, cap;
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

static void push_back(struct outbox *ob, const char *id)
{
    if (ob->head + ob->len == ob->cap) {
        if (ob->head > ob->cap / 2) {
            memmove(ob->queue, ob->queue + ob->head, ob->len * sizeof *ob->queue);
            ob->head = 0;
        } else {
            ob->cap = ob->cap ? ob->cap * 2 : 256;
            ob->queue = xrealloc(ob->queue, ob->cap * sizeof *ob->queue);
        }
    }
    ob->queue[ob->head + ob->len++] = xstrdup(id);
}

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

/* Queues the records in new/, in the order they were written. */
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
    for (size_t i = 0; i < n; i++) {
        push_back(ob, all[i].id);
        free(all[i].id);
    }
    free(all);
    return 0;
}

struct outbox *outbox_open(const char *spool_dir, bool delete_sent, char *err, size_t errlen)
{
    struct outbox *ob = xcalloc(1, sizeof *ob);
    ob->delete_sent = delete_sent;
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
    if (list_new(ob, err, errlen) < 0) {
        outbox_close(ob);
        return NULL;
    }
    return ob;
}

void outbox_close(struct outbox *ob)
{
    if (!ob)
        return;
    for (size_t i = 0; i < ob->len; i++)
        free(ob->queue[ob->head + i]);
    free(ob->queue);
    for (int f = 0; f < FOLDERS; f++)
        if (ob->folder_fd[f] >= 0)
            close(ob->folder_fd[f]);
    free(ob);
}

size_t outbox_queued(const struct outbox *ob)
{
    return ob->len;
}

void outbox_add(struct outbox *ob, const char *record_id)
{
    if (record_id && is_record_id(record_id, strlen(record_id)))
        push_back(ob, record_id);
}

void outbox_retry(struct outbox *ob, char *const *ids, size_t n)
{
    if (ob->head < n) {
        size_t need = ob->len + n;
        if (need > ob->cap) {
            ob->cap = need * 2;
            ob->queue = xrealloc(ob->queue, ob->cap * sizeof *ob->queue);
        }
        memmove(ob->queue + n, ob->queue + ob->head, ob->len * sizeof *ob->queue);
        ob->head = n;
    }
    ob->head -= n;
    for (size_t i = 0; i < n; i++)
        ob->queue[ob->head + i] = xstrdup(ids[i]);
    ob->len += n;
}

/* The bytes of new/<name> (NUL-terminated, the caller frees) and their length, or NULL with
 * errno set (ENOENT: gone, claimed by a consumer or already sent). */
static char *read_new(const struct outbox *ob, const char *name, size_t *len)
{
    int fd = openat(ob->folder_fd[FOLDER_NEW], name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
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
    int saved = errno;
    close(fd);
    errno = saved;
    if (data) {
        data[have] = '\0';
        *len = have;
    }
    return data;
}

enum fate { TO_SENT, TO_QUARANTINE, DELETED };

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

int outbox_next(struct outbox *ob, struct outbox_record *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    while (ob->len) {
        char *id = ob->queue[ob->head++];
        ob->len--;
        if (ob->len == 0)
            ob->head = 0;
        char name[ID_MAX + 6];
        record_name(name, id);
        size_t len = 0;
        char *data = read_new(ob, name, &len);
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
        json_error_t jerr;
        json_t *json = json_loadb(data, len, 0, &jerr);
        if (!json_is_object(json)) {
            json_decref(json);
            free(data);
            char moved[256] = "";
            int rc = move_on(ob, id, TO_QUARANTINE, moved, sizeof moved);
            set_err(err, errlen, "new/%s is not a JSON record (%s), %s", name,
                    json ? "not an object" : jerr.text, rc < 0 ? moved : "moved to quarantine/");
            free(id);
            return -1;
        }
        *out = (struct outbox_record){.id = id, .data = data, .len = len, .json = json};
        out->n_topics = record_topic_ids(json, &out->topics);
        return 1;
    }
    return 0;
}

int outbox_sent(struct outbox *ob, const char *record_id, char *err, size_t errlen)
{
    return move_on(ob, record_id, ob->delete_sent ? DELETED : TO_SENT, err, errlen);
}

int outbox_refused(struct outbox *ob, const char *record_id, char *err, size_t errlen)
{
    return move_on(ob, record_id, TO_QUARANTINE, err, errlen);
}

void outbox_record_free(struct outbox_record *r)
{
    free(r->id);
    free(r->data);
    free(r->topics);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}
