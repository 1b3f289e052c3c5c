/* cmd_similar.c: `feedspool similar FILE FILE...`: whether article texts would be taken for
 * copies of one story, with the figures the daemon decides on (see stories/fingerprint.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "common/util.h"
#include "cmd/commands.h"
#include "stories/fingerprint.h"
#include "stories/index.h"

#define SIMILAR_MAX_INPUT (64L * 1024 * 1024)

int cmd_similar(int argc, char **argv)
{
    if (wants_help(argc, argv) || argc < 3) {
        FILE *out = wants_help(argc, argv) ? stdout : stderr;
        fprintf(out,
                "Usage: feedspool similar FILE FILE...\n"
                "Compares article texts (plain text, as `feedspool extract` prints them) pair by\n"
                "pair: the anchors (sampled word 3-shingles) each has and they share, the share\n"
                "of the smaller set found in the other (the records' similarity figure), and\n"
                "whether the daemon would take them for one story (at least %d shared and a\n"
                "share of at least %.2f, or the same text).\n",
                STORY_MIN_SHARED, STORY_MIN_CONTAINMENT);
        return wants_help(argc, argv) ? 0 : 2;
    }
    int n = argc - 1;
    struct fingerprint *fps = xcalloc((size_t)n, sizeof *fps);
    for (int i = 0; i < n; i++) {
        size_t len;
        char err[512];
        char *text = file_read_all(argv[i + 1], SIMILAR_MAX_INPUT, &len, err, sizeof err);
        if (!text) {
            fprintf(stderr, "feedspool similar: %s\n", err);
            free(fps);
            return 1;
        }
        fingerprint_compute(text, NULL, &fps[i]);
        free(text);
    }
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n; k++) {
            size_t shared = fingerprint_shared(&fps[i], &fps[k]);
            bool exact = fps[i].text_key && fps[i].text_key == fps[k].text_key;
            printf("%s %s anchors=%zu/%zu shared=%zu similarity=%.2f %s\n", argv[i + 1],
                   argv[k + 1], fps[i].n, fps[k].n, shared,
                   exact ? 1.0 : fingerprint_containment(shared, fps[i].n, fps[k].n),
                   exact                                                ? "same text"
                   : fingerprint_same_story(shared, fps[i].n, fps[k].n) ? "same story"
                                                                        : "different");
        }
    free(fps);
    return 0;
}
