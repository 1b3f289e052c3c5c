/* charset.h: what the bytes of a document say about their character encoding, in one place
 * for the feed parser and the page extractor: byte-order marks, UTF-16/32 recognised without
 * one, the charset names that mean something else than they say (as browsers read them), and
 * transcoding to UTF-8 with iconv. Pure functions; returned names are static strings. */
#ifndef FEEDSPOOL_COMMON_CHARSET_H
#define FEEDSPOOL_COMMON_CHARSET_H

#include <stddef.h>

/* The encoding a byte-order mark at the start of data names ("UTF-8", "UTF-16LE",
 * "UTF-16BE", "UTF-32LE", "UTF-32BE"), its length in *bom_len; NULL and 0 without one. */
const char *charset_bom(const char *data, size_t len, size_t *bom_len);

/* UTF-16 or UTF-32 without a BOM, recognised (as XML 1.0 appendix F does) by the NUL bytes
 * around the first "<" or "<?": "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE"; else NULL. */
const char *charset_sniff_wide(const char *data, size_t len);

/* The encoding to decode with for a declared charset name (HTTP header, <meta>, XML
 * declaration), when it differs from the name: ISO-8859-1, Latin-1 and ASCII are read as
 * their superset windows-1252 (bytes 0x80-0x9F are its curly quotes and dashes, as in every
 * browser), and spellings iconv does not know ("utf8", "utf16", "utf_16", "u8", "x-sjis"...)
 * get their proper names. NULL when name needs no change (or is NULL). Case-insensitive. */
const char *charset_alias(const char *name);

/* True when "UTF-16" or "UTF-32" in any byte order or spelling. */
int charset_is_wide(const char *name);

/* data decoded from charset (a name iconv knows; charset_alias() first) into UTF-8, invalid
 * sequences replaced by U+FFFD, NUL-terminated, its length in *out_len. A BOM of that
 * charset at the start is dropped. NULL when iconv does not know the charset. Caller frees. */
char *charset_to_utf8(const char *data, size_t len, const char *charset, size_t *out_len);

#endif
