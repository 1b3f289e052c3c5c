/* hash.h: stable content hashes (SHA-256 from OpenSSL's libcrypto), and a string hash for
 * in-memory tables.
 *
 * Record ids and spool file names come from the content hashes, never from feed strings. */
#ifndef FEEDSPOOL_COMMON_HASH_H
#define FEEDSPOOL_COMMON_HASH_H

#include <stddef.h>

#define HASH_HEX_LEN 64

/* Writes the lowercase hex SHA-256 of p[0..n) and a NUL into out. */
void hash_sha256_hex(const void *p, size_t n, char out[HASH_HEX_LEN + 1]);

/* djb2 of a NUL-terminated string: bucket choice in hash tables, not for anything stored. */
unsigned long hash_string(const char *s);

#endif
