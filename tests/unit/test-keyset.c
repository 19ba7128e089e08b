/*
 * The keyset against a plain reference set: long random sequences of
 * adds, repeats and clears, with maps sized around the few (8, 9), the
 * first growths (16, 17, 32, 33) and the size past which an index is
 * freed, on one set and on the per-level sets.  A hang is a failure:
 * an alarm ends the test.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyset.h"
#include "tap.h"

enum { POOL = 6000, KEYLEN = 24 };

static char pool[POOL][KEYLEN];
static size_t pool_len[POOL];

struct reference {
	int	 keys[POOL];	/* pool numbers, in the order added */
	int	 number[POOL];	/* pool number -> key number, or -1 */
	int	 n;
};

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned
below(unsigned n)
{
	return (unsigned)(next_random() % n);
}

/* Short keys that share prefixes and lengths, and long ones. */
static void
make_pool(void)
{
	for (int i = 0; i < POOL; i++) {
		switch (i % 4) {
		case 0: snprintf(pool[i], KEYLEN, "k%d", i); break;
		case 1: snprintf(pool[i], KEYLEN, "%08d", i); break;
		case 2: snprintf(pool[i], KEYLEN, "a longer key %d", i); break;
		default: snprintf(pool[i], KEYLEN, "%d", i); break;
		}
		pool_len[i] = strlen(pool[i]);
	}
	pool_len[POOL - 1] = 0;	/* the empty key */
}

static void
reference_clear(struct reference *r)
{
	for (int i = 0; i < r->n; i++)
		r->number[r->keys[i]] = -1;
	r->n = 0;
}

static int
reference_add(struct reference *r, int k)
{
	if (r->number[k] >= 0)
		return r->number[k];
	r->number[k] = r->n;
	r->keys[r->n++] = k;
	return -1;
}

/* A map size that lands on the edges more often than not. */
static unsigned
map_size(void)
{
	static const unsigned edges[] = { 0, 1, 7, 8, 9, 10, 15, 16, 17, 18,
		31, 32, 33, 64, 65, 2047, 2048, 2049, 5000 };

	if (below(3) == 0)
		return below(40);
	return edges[below(sizeof edges / sizeof edges[0])];
}

/*
 * One map: size distinct keys, with repeats at random positions and a
 * run of them at one position, checked add by add.
 */
static int
one_map(struct sdc_keyset *s, struct reference *r, unsigned size)
{
	unsigned repeat_at = below(size + 2), mistakes = 0, added = 0;

	while (added < size) {
		bool repeat = r->n > 0 && below(4) == 0;
		int k = repeat ? r->keys[below((unsigned)r->n)] :
		    (int)below(POOL);
		int64_t got = sdc_keyset_add(s, pool[k], pool_len[k]);
		int want = reference_add(r, k);

		mistakes += got != want;
		added += want < 0;
		if ((unsigned)r->n == repeat_at && below(2) == 0)
			for (int i = 0; i < 3; i++) {
				int old = r->keys[below((unsigned)r->n)];

				mistakes += sdc_keyset_add(s, pool[old],
				    pool_len[old]) != r->number[old];
			}
	}
	mistakes += s->n != (uint32_t)r->n;
	return (int)mistakes;
}

static void
test_one_set(void)
{
	static struct reference r;
	struct sdc_keyset s;
	int mistakes = 0, maps = 0;

	memset(r.number, -1, sizeof r.number);
	sdc_keyset_init(&s);
	for (; maps < 3000; maps++) {
		mistakes += one_map(&s, &r, map_size());
		sdc_keyset_clear(&s);
		reference_clear(&r);
	}
	sdc_keyset_release(&s);
	ok(mistakes == 0, "%d maps on one set agree with the reference "
	    "(%d mistakes)", maps, mistakes);
}

/* Nested maps: the per-level sets, interleaved as a parser uses them. */
static void
test_levels(void)
{
	static struct reference r[4];
	struct sdc_keyset *s[4];
	int mistakes = 0;

	for (int l = 0; l < 4; l++)
		memset(r[l].number, -1, sizeof r[l].number);
	for (int round = 0; round < 1500; round++) {
		int depth = (int)below(4) + 1;

		for (int l = 0; l < depth; l++) {
			s[l] = sdc_keyset_for_level((size_t)l);
			reference_clear(&r[l]);
		}
		for (int l = depth - 1; l >= 0; l--)
			mistakes += one_map(s[l], &r[l], map_size() % 100);
	}
	ok(mistakes == 0, "nested maps on the per-level sets agree with the "
	    "reference (%d mistakes)", mistakes);
}

/* The case that hung: the ninth key repeats, map after map. */
static void
test_ninth_repeats(void)
{
	struct sdc_keyset s;
	int mistakes = 0;

	sdc_keyset_init(&s);
	for (int map = 0; map < 100; map++) {
		for (int i = 0; i < 8; i++)
			mistakes += sdc_keyset_add(&s, pool[i],
			    pool_len[i]) != -1;
		for (int i = 0; i < 20; i++)
			mistakes += sdc_keyset_add(&s, pool[i % 8],
			    pool_len[i % 8]) != i % 8;
		mistakes += s.n != 8;
		sdc_keyset_clear(&s);
	}
	sdc_keyset_release(&s);
	ok(mistakes == 0, "maps whose ninth and later keys repeat, 100 times "
	    "over on one set");
}

static void
on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "not ok - the keyset test did not end in "
	    "120 s\nBail out!\n";
	ssize_t n = write(STDOUT_FILENO, msg, sizeof msg - 1);

	(void)n;
	_exit(1);
}

int
main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(120);
	make_pool();
	test_ninth_repeats();
	test_one_set();
	test_levels();
	return tap_done();
}
