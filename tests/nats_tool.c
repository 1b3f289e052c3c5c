/* nats_tool.c: what the JetStream tests and bench/publish need from a NATS client, with libnats:
 *   nats_tool URL create-stream NAME SUBJECT [MAX_MSG_SIZE]   file storage, 2 min dedupe window
 *   nats_tool URL dump NAME          one line a stored message: SEQ MSG-ID SUBJECT TOPICS
 *                                    CONTENT-TYPE SCHEMA-VERSION STORY-ID ("-" when absent)
 *   nats_tool URL publish SUBJECT DIR   every file of DIR published with acknowledgement
 *                                       (asynchronously, 1,000 in flight), as fast as libnats
 *                                       goes: bench/publish's peer; prints records/s
 * Exits non-zero with a message on any error. */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nats/nats.h>

static int fail(const char *what, natsStatus s, jsErrCode code)
{
    fprintf(stderr, "nats_tool: %s: %s (JetStream error %d) %s\n", what, natsStatus_GetText(s),
            (int)code, nats_GetLastError(NULL));
    return 1;
}

static int create_stream(jsCtx *js, const char *name, const char *subject, const char *max_size)
{
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char *subjects[] = {subject};
    sc.Name = name;
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Duplicates = (int64_t)120 * 1000 * 1000 * 1000;
    if (max_size)
        sc.MaxMsgSize = (int32_t)atol(max_size);
    jsStreamInfo *si = NULL;
    jsErrCode code = 0;
    natsStatus s = js_AddStream(&si, js, &sc, NULL, &code);
    jsStreamInfo_Destroy(si);
    return s == NATS_OK ? 0 : fail("create stream", s, code);
}

static int dump(jsCtx *js, const char *name)
{
    jsStreamInfo *si = NULL;
    jsErrCode code = 0;
    natsStatus s = js_GetStreamInfo(&si, js, name, NULL, &code);
    if (s != NATS_OK)
        return fail("stream info", s, code);
    uint64_t first = si->State.FirstSeq, last = si->State.LastSeq;
    jsStreamInfo_Destroy(si);
    for (uint64_t seq = first; seq && seq <= last; seq++) {
        natsMsg *msg = NULL;
        s = js_GetMsg(&msg, js, name, seq, NULL, &code);
        if (s == NATS_NOT_FOUND)
            continue;
        if (s != NATS_OK)
            return fail("get message", s, code);
        const char *names[] = {"Nats-Msg-Id", "Feedspool-Topics", "Content-Type",
                               "Feedspool-Schema-Version", "Feedspool-Story-Id"};
        const char *values[5];
        for (size_t i = 0; i < 5; i++)
            if (natsMsgHeader_Get(msg, names[i], &values[i]) != NATS_OK || !values[i])
                values[i] = "-";
        printf("%" PRIu64 " %s %s %s %s %s %s\n", seq, values[0], natsMsg_GetSubject(msg),
               values[1], values[2], values[3], values[4]);
        natsMsg_Destroy(msg);
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int publish_dir(natsConnection *nc, const char *subject, const char *dir)
{
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.PublishAsync.MaxPending = 1000;
    jsCtx *js = NULL;
    natsStatus s = natsConnection_JetStream(&js, nc, &jo);
    DIR *d = opendir(dir);
    if (s != NATS_OK || !d)
        return fail("publish setup", s, 0);
    long n = 0;
    double start = now_seconds();
    struct dirent *e;
    char path[4096];
    static char data[1 << 20];
    while (s == NATS_OK && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t len = fread(data, 1, sizeof data, f);
        fclose(f);
        natsMsg *msg = NULL;
        s = natsMsg_Create(&msg, subject, NULL, data, (int)len);
        if (s == NATS_OK)
            s = natsMsgHeader_Set(msg, "Nats-Msg-Id", e->d_name);
        if (s == NATS_OK)
            s = js_PublishMsgAsync(js, &msg, NULL);
        natsMsg_Destroy(msg);
        n++;
    }
    closedir(d);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = 60000;
    if (s == NATS_OK)
        s = js_PublishAsyncComplete(js, &po);
    double took = now_seconds() - start;
    jsCtx_Destroy(js);
    if (s != NATS_OK)
        return fail("publish", s, 0);
    printf("published %ld records in %.3f s: %.0f records/s\n", n, took, n / took);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr,
                "usage: nats_tool URL create-stream NAME SUBJECT [MAX_MSG_SIZE] | URL dump NAME"
                " | URL publish SUBJECT DIR\n");
        return 2;
    }
    natsConnection *nc = NULL;
    jsCtx *js = NULL;
    natsStatus s = natsConnection_ConnectTo(&nc, argv[1]);
    if (s == NATS_OK)
        s = natsConnection_JetStream(&js, nc, NULL);
    int rc;
    if (s != NATS_OK)
        rc = fail("connect", s, 0);
    else if (strcmp(argv[2], "create-stream") == 0 && argc >= 5)
        rc = create_stream(js, argv[3], argv[4], argc > 5 ? argv[5] : NULL);
    else if (strcmp(argv[2], "dump") == 0)
        rc = dump(js, argv[3]);
    else if (strcmp(argv[2], "publish") == 0 && argc >= 5)
        rc = publish_dir(nc, argv[3], argv[4]);
    else
        rc = (fprintf(stderr, "nats_tool: unknown command %s\n", argv[2]), 2);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    nats_Close();
    return rc;
}
