/* version.h: `feedspool --version` (version.c). */
#ifndef FEEDSPOOL_CMD_VERSION_H
#define FEEDSPOOL_CMD_VERSION_H

#include <stdio.h>

/* Prints the build's version, git revision and project URL, then the running libraries'. */
void print_version(FILE *out);

#endif
