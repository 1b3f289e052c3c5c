/* nats_tool.c: what the JetStream tests need from a NATS client, with libnats:
 *   nats_tool URL create-stream NAME SUBJECT [MAX_MSG_SIZE]   file storage, 2 min dedupe window
 *   nats_tool URL dump NAME          one line a stored message: SEQ MSG-ID SUBJECT TOPICS
 * Exits non-zero with a message on any error. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        const char *id = NULL, *topics = NULL;
        if (natsMsgHeader_Get(msg, "Nats-Msg-Id", &id) != NATS_OK || !id)
            id = "-";
        if (natsMsgHeader_Get(msg, "Feedspool-Topics", &topics) != NATS_OK || !topics)
            topics = "-";
        printf("%" PRIu64 " %s %s %s\n", seq, id, natsMsg_GetSubject(msg), topics);
        natsMsg_Destroy(msg);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: nats_tool URL create-stream NAME SUBJECT [MAX_MSG_SIZE] | URL dump NAME\n");
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
    else
        rc = (fprintf(stderr, "nats_tool: unknown command %s\n", argv[2]), 2);
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    nats_Close();
    return rc;
}
