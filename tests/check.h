/* check.h: the few assertion macros the C unit tests use.
 *
 * A test file defines test functions, calls them from main() through RUN(),
 * and ends main with `return check_summary();`, which prints
 * "N passed, N failed" and returns non-zero when anything failed. */
#ifndef FEEDSPOOL_TESTS_CHECK_H
#define FEEDSPOOL_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_count;
static int check_passed_count;
static int check_current_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
            check_current_failed = 1;                                                              \
        }                                                                                          \
    } while (0)

#define CHECK_STR(actual, expected)                                                                \
    do {                                                                                           \
        const char *check_a_ = (actual), *check_e_ = (expected);                                   \
        if (!check_a_ || !check_e_ ? check_a_ != check_e_ : strcmp(check_a_, check_e_)) {          \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #actual, \
                    check_a_ ? check_a_ : "(null)", check_e_ ? check_e_ : "(null)");               \
            check_current_failed = 1;                                                              \
        }                                                                                          \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                           \
    do {                                                                                           \
        const char *check_h_ = (haystack);                                                         \
        if (!check_h_ || !strstr(check_h_, (needle))) {                                            \
            fprintf(stderr, "%s:%d: %s lacks \"%s\"\n", __FILE__, __LINE__, #haystack, (needle));  \
            check_current_failed = 1;                                                              \
        }                                                                                          \
    } while (0)

#define CHECK_LACKS(haystack, needle)                                                              \
    do {                                                                                           \
        const char *check_h_ = (haystack);                                                         \
        if (check_h_ && strstr(check_h_, (needle))) {                                              \
            fprintf(stderr, "%s:%d: %s still holds \"%s\"\n", __FILE__, __LINE__, #haystack,       \
                    (needle));                                                                     \
            check_current_failed = 1;                                                              \
        }                                                                                          \
    } while (0)

#define RUN(test_fn)                                                                               \
    do {                                                                                           \
        check_current_failed = 0;                                                                  \
        test_fn();                                                                                 \
        if (check_current_failed) {                                                                \
            check_failed_count++;                                                                  \
            fprintf(stderr, "FAIL %s\n", #test_fn);                                                \
        } else {                                                                                   \
            check_passed_count++;                                                                  \
        }                                                                                          \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed_count, check_failed_count);
    return check_failed_count ? 1 : 0;
}

#endif
