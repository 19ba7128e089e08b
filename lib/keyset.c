/* Sets of map keys: a scan for a few, a keyed hash index for many. */
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "keyset.h"
#include "siphash.h"
#include "xalloc.h"
#include "banned.h"

/* A slot is in use when its gen is the set's. */
struct sdc_keyslot {
	const char	*ptr;
	size_t		 len;
	uint32_t	 hash;
	uint32_t	 number;
	uint32_t	 gen;
};

#define SLOTS_KEPT	4096	/* an index this small is always kept */

static uint64_t hash_key[2];

static void
draw_key(void)
{
	static int drawn;

	if (!drawn) {
		arc4random_buf(hash_key, sizeof hash_key);
		drawn = 1;
	}
}

/* The finalizer of MurmurHash3: every bit of x moves every bit out. */
static uint64_t
mix(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	return x ^ (x >> 33);
}

static uint32_t
hash(const char *key, size_t len, uint64_t fp)
{
	if (len <= 8)
		return (uint32_t)mix(fp ^ hash_key[0]) + (uint32_t)len;
	return (uint32_t)sdc_siphash(hash_key, key, len);
}

/*
 * The slot holding key, or the free slot where it goes.  The index is at
 * most half full, so a free slot comes within mask + 1 steps; the count
 * makes the bound plain even if that were ever broken.
 */
static struct sdc_keyslot *
probe(struct sdc_keyset *s, const char *key, size_t len, uint32_t h)
{
	uint32_t i = h & s->mask;

	for (uint32_t left = s->mask + 1; left > 0; left--) {
		struct sdc_keyslot *slot = &s->slots[i];

		if (slot->gen != s->gen || (slot->hash == h &&
		    slot->len == len && memcmp(slot->ptr, key, len) == 0))
			return slot;
		i = (i + 1) & s->mask;
	}
	sdc_errx(SDC_EXIT_IO, "internal error: key index full");
}

/* Insert a key known to be absent. */
static void
place(struct sdc_keyset *s, const char *key, size_t len, uint32_t h,
    uint32_t number)
{
	*probe(s, key, len, h) =
	    (struct sdc_keyslot){ key, len, h, number, s->gen };
}

static void
new_slots(struct sdc_keyset *s, uint32_t count)
{
	s->mask = count - 1;
	s->slots = sdc_xcalloc(count, sizeof(*s->slots));
	s->gen = 1;
}

/* The first key past the few: the index takes over. */
static void
index_few(struct sdc_keyset *s)
{
	draw_key();
	if (s->slots == NULL)
		new_slots(s, 4 * SDC_KEYSET_FEW);
	for (uint32_t i = 0; i < SDC_KEYSET_FEW; i++)
		place(s, s->few[i].ptr, s->few[i].len, hash(s->few[i].ptr,
		    s->few[i].len, s->few[i].fp), i);
	s->indexed = 1;
}

static void
grow(struct sdc_keyset *s)
{
	struct sdc_keyslot *old = s->slots;
	uint32_t nold = s->mask + 1, gen = s->gen;

	new_slots(s, 2 * nold);
	for (uint32_t i = 0; i < nold; i++)
		if (old[i].gen == gen)
			place(s, old[i].ptr, old[i].len, old[i].hash,
			    old[i].number);
	free(old);
}

int64_t
sdc_keyset_add_many(struct sdc_keyset *s, const char *key, size_t len,
    uint64_t fp)
{
	struct sdc_keyslot *slot;
	uint32_t h;

	if (!s->indexed)
		index_few(s);
	if (2 * (s->n + 1) > s->mask + 1)
		grow(s);
	h = hash(key, len, fp);
	slot = probe(s, key, len, h);
	if (slot->gen == s->gen)
		return slot->number;
	*slot = (struct sdc_keyslot){ key, len, h, s->n++, s->gen };
	return -1;
}

/*
 * The slots of the next generation are free.  An index much larger than
 * this map needed goes, so that one huge map does not hold its memory.
 */
void
sdc_keyset_clear_index(struct sdc_keyset *s)
{
	s->indexed = 0;
	if (s->mask + 1 > SLOTS_KEPT && s->mask + 1 > 8 * s->n) {
		free(s->slots);
		s->slots = NULL;
	} else if (++s->gen == 0) {
		memset(s->slots, 0, (s->mask + 1) * sizeof(*s->slots));
		s->gen = 1;
	}
}

void
sdc_keyset_release(struct sdc_keyset *s)
{
	free(s->slots);
	sdc_keyset_init(s);
}

struct sdc_keyset *
sdc_keyset_for_level(size_t level)
{
	static _Thread_local struct sdc_keyset **levels;
	static _Thread_local size_t nlevels;

	if (level >= nlevels) {
		size_t n = level < 32 ? 64 : 2 * level;

		levels = sdc_xreallocarray(levels, n, sizeof(*levels));
		for (size_t i = nlevels; i < n; i++) {
			levels[i] = sdc_xmalloc(sizeof(**levels));
			sdc_keyset_init(levels[i]);
		}
		nlevels = n;
	}
	sdc_keyset_clear(levels[level]);
	return levels[level];
}
