/* test_suggest.c: the "did you mean" of a mistyped name: edit distances (with swapped
 * neighbours as one edit), the nearest name, and no suggestion for a word far from all. */
#include "check.h"
#include "common/suggest.h"
#include "common/util.h"

static void test_distances(void)
{
    CHECK(suggest_distance("once", "once") == 0);
    CHECK(suggest_distance("onec", "once") == 1); /* swap */
    CHECK(suggest_distance("feds", "feeds") == 1);
    CHECK(suggest_distance("kitten", "sitting") == 3);
    CHECK(suggest_distance("", "run") == 3);
    CHECK(suggest_distance("abc", "") == 3);
}

static void test_closest(void)
{
    static const char *const names[] = {"run",   "once",        "check",      "feeds",
                                        "items", "export-opml", "import-opml"};
    CHECK_STR(suggest_closest("onec", names, ARRAY_LEN(names)), "once");
    CHECK_STR(suggest_closest("chekc", names, ARRAY_LEN(names)), "check");
    CHECK_STR(suggest_closest("exprot-opml", names, ARRAY_LEN(names)), "export-opml");
    CHECK_STR(suggest_closest("rn", names, ARRAY_LEN(names)), "run");
    CHECK(suggest_closest("frobnicate", names, ARRAY_LEN(names)) == NULL);
    CHECK(suggest_closest("xyz", names, ARRAY_LEN(names)) == NULL); /* 3 letters: 1 edit */
}

int main(void)
{
    RUN(test_distances);
    RUN(test_closest);
    return check_summary();
}
