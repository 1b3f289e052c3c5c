/* version.c: `feedspool --version`: this build (version, git revision, project URL) and the
 * versions of the libraries it runs with, asked of the libraries themselves at run time. */
#include <curl/curl.h>
#include <event2/event.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <nats/nats.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/version.h"
#include "common/version.h"

void print_version(FILE *out)
{
    fprintf(out, "feedspool %s (git %s)\n", FEEDSPOOL_VERSION, feedspool_revision);
    if (FEEDSPOOL_PROJECT_URL[0])
        fprintf(out, "%s\n", FEEDSPOOL_PROJECT_URL);
    const curl_version_info_data *curl = curl_version_info(CURLVERSION_NOW);
    fprintf(out, "libcurl %s", curl->version);
    if (curl->ssl_version)
        fprintf(out, " (%s)", curl->ssl_version);
    fprintf(out, "\nlibevent %s\njansson %s\n", event_get_version(), jansson_version_str());
    /* xmlParserVersion is the running library's version as digits: 20914 for 2.9.14 */
    long xml = strtol(xmlParserVersion, NULL, 10);
    fprintf(out, "libxml2 %ld.%ld.%ld\n", xml / 10000, xml / 100 % 100, xml % 100);
    fprintf(out, "SQLite %s\nnats.c %s\n", sqlite3_libversion(), nats_GetVersion());
}
