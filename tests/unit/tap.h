#ifndef SDC_TAP_H
#define SDC_TAP_H
/* A minimal TAP producer for the C unit tests (automake's tap-driver). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

static inline bool
tap_ok(bool cond, const char *what, const char *file, int line)
{
	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, what);
	if (!cond)
		printf("# failed at %s:%d\n", file, line);
	return cond;
}

#define ok(cond, ...) do {						\
	char tap_what_[256];						\
	snprintf(tap_what_, sizeof tap_what_, __VA_ARGS__);		\
	tap_ok((cond), tap_what_, __FILE__, __LINE__);			\
} while (0)

#define is_int(got, want, what) do {					\
	long long g_ = (long long)(got), w_ = (long long)(want);	\
	ok(g_ == w_, "%s", what);					\
	if (g_ != w_)							\
		printf("#   got %lld, want %lld\n", g_, w_);		\
} while (0)

#define is_str(got, want, what) do {					\
	const char *g_ = (got), *w_ = (want);				\
	bool same_ = g_ && w_ && strcmp(g_, w_) == 0;			\
	ok(same_, "%s", what);						\
	if (!same_)							\
		printf("#   got \"%s\", want \"%s\"\n",			\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
