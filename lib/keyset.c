/* Sets of map keys: a scan for a few, a keyed hash index for many. */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
#include "siphash.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_keyslot {
	const char	*ptr;		/* NULL: empty */
	size_t		 len;
	uint32_t	 hash;
	uint32_t	 number;
};

static uint32_t
hash(const char *key, size_t len)
{
	static uint64_t k[2];
	static int keyed;

	if (!keyed) {
		arc4random_buf(k, sizeof k);
		keyed = 1;
	}
	return (uint32_t)sdc_siphash(k, key, len);
}

/* Insert a key known to be absent. */
static void
place(struct sdc_keyset *s, const char *key, size_t len, uint32_t h,
    uint32_t number)
{
	uint32_t i = h & s->mask;

	while (s->slots[i].ptr != NULL)
		i = (i + 1) & s->mask;
	s->slots[i] = (struct sdc_keyslot){ key, len, h, number };
}

/* The first key past the few: the index takes over. */
static void
index_few(struct sdc_keyset *s)
{
	if (s->slots == NULL) {
		s->mask = 4 * SDC_KEYSET_FEW - 1;
		s->slots = sdc_xcalloc(s->mask + 1, sizeof(*s->slots));
	}
	for (uint32_t i = 0; i < SDC_KEYSET_FEW; i++)
		place(s, s->few[i].ptr, s->few[i].len,
		    hash(s->few[i].ptr, s->few[i].len), i);
}

static void
grow(struct sdc_keyset *s)
{
	struct sdc_keyslot *old = s->slots;
	uint32_t nold = s->mask + 1;

	s->mask = 2 * nold - 1;
	s->slots = sdc_xcalloc(s->mask + 1, sizeof(*s->slots));
	for (uint32_t i = 0; i < nold; i++)
		if (old[i].ptr != NULL)
			place(s, old[i].ptr, old[i].len, old[i].hash,
			    old[i].number);
	free(old);
}

int64_t
sdc_keyset_add_many(struct sdc_keyset *s, const char *key, size_t len)
{
	uint32_t h, i;

	if (s->n == SDC_KEYSET_FEW)
		index_few(s);
	else if (2 * (s->n + 1) > s->mask + 1)
		grow(s);
	h = hash(key, len);
	for (i = h & s->mask; s->slots[i].ptr != NULL; i = (i + 1) & s->mask)
		if (s->slots[i].hash == h && s->slots[i].len == len &&
		    memcmp(s->slots[i].ptr, key, len) == 0)
			return s->slots[i].number;
	s->slots[i] = (struct sdc_keyslot){ key, len, h, s->n++ };
	return -1;
}

void
sdc_keyset_free_index(struct sdc_keyset *s)
{
	free(s->slots);
	s->slots = NULL;
}
