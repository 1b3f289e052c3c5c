/* version.h: which feedspool this is. FEEDSPOOL_VERSION (CMake's project() VERSION),
 * FEEDSPOOL_PROJECT_URL (the FEEDSPOOL_PROJECT_URL CMake variable, may be "") and
 * FEEDSPOOL_USER_AGENT (the default User-Agent made of both) are compile definitions set by
 * the top-level CMakeLists.txt; the git revision is asked at build time (revision.cmake). */
#ifndef FEEDSPOOL_VERSION_H
#define FEEDSPOOL_VERSION_H

#if !defined(FEEDSPOOL_VERSION) || !defined(FEEDSPOOL_PROJECT_URL) || !defined(FEEDSPOOL_USER_AGENT)
#error "FEEDSPOOL_VERSION, FEEDSPOOL_PROJECT_URL and FEEDSPOOL_USER_AGENT come from CMakeLists.txt"
#endif

/* The git revision the binary was built from, "-dirty" appended when the tree had changes;
 * "unknown" outside a git checkout (unless -DFEEDSPOOL_REVISION=... was given). */
extern const char feedspool_revision[];

#endif
