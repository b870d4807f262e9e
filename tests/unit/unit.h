/*
 * A very small test harness for the C unit tests.
 *
 * Each test file defines test functions and a main() that calls
 * UNIT_RUN(fn) for each, then returns unit_finish().  A check that fails
 * prints the file, line and expression and marks the current test failed;
 * the test goes on so that one run shows every failure.  The last line
 * printed is "N passed, N failed", which CI reads.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed;
static int unit_failed;
static int unit_current_failed;

#define CHECK(expr) do {						\
	if (!(expr)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #expr);				\
		unit_current_failed = 1;				\
	}								\
} while (0)

#define CHECK_INT(got, want) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	if (g_ != w_) {							\
		fprintf(stderr, "%s:%d: %s is %lld, want %lld\n",	\
		    __FILE__, __LINE__, #got, g_, w_);			\
		unit_current_failed = 1;				\
	}								\
} while (0)

#define CHECK_STR(got, want) do {					\
	const char *g_ = (got), *w_ = (want);				\
	if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {\
		fprintf(stderr, "%s:%d: %s is \"%s\", want \"%s\"\n",	\
		    __FILE__, __LINE__, #got, g_ ? g_ : "(null)",	\
		    w_ ? w_ : "(null)");				\
		unit_current_failed = 1;				\
	}								\
} while (0)

#define UNIT_RUN(fn) do {						\
	unit_current_failed = 0;					\
	fn();								\
	if (unit_current_failed) {					\
		unit_failed++;						\
		fprintf(stderr, "FAIL %s\n", #fn);			\
	} else {							\
		unit_passed++;						\
		printf("ok %s\n", #fn);					\
	}								\
} while (0)

static inline int
unit_finish(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif /* UNIT_H */
