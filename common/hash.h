/* hash.h: stable content hashes (SHA-256 from OpenSSL's libcrypto).
 *
 * Record ids and spool file names come from these, never from feed strings. */
#ifndef FEEDSPOOL_COMMON_HASH_H
#define FEEDSPOOL_COMMON_HASH_H

#include <stddef.h>

#define HASH_HEX_LEN 64

/* Writes the lowercase hex SHA-256 of p[0..n) and a NUL into out. */
void hash_sha256_hex(const void *p, size_t n, char out[HASH_HEX_LEN + 1]);

#endif
