#ifndef SDC_KEYSET_H
#define SDC_KEYSET_H
/*
 * The distinct keys of one map, numbered in the order they were first
 * added: finding whether a key repeats one before it, in constant time
 * however many keys the map has.  Input can be made of maps of a
 * million keys on purpose, and a scan per key would be quadratic.
 *
 * The first SDC_KEYSET_FEW keys are scanned (most maps are small);
 * past them, a hash index takes over, keyed with SipHash-2-4 under a
 * key drawn at random once per process, so that keys that collide
 * cannot be prepared in advance.  The set borrows the key bytes, which
 * must stay put while it is in use.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "field.h"

#define SDC_KEYSET_FEW	16

struct sdc_keyslot;

struct sdc_keyset {
	uint32_t		 n;
	uint64_t		 lengths;	/* bit len % 64 of the few */
	struct sdc_str		 few[SDC_KEYSET_FEW];
	struct sdc_keyslot	*slots;		/* NULL until n passes few */
	uint32_t		 mask;		/* slots - 1 */
};

static inline void
sdc_keyset_init(struct sdc_keyset *s)
{
	s->n = 0;
	s->lengths = 0;
	s->slots = NULL;
}

void	sdc_keyset_free_index(struct sdc_keyset *s);

/* Empty the set, for the next map or for good. */
static inline void
sdc_keyset_release(struct sdc_keyset *s)
{
	if (s->slots != NULL)
		sdc_keyset_free_index(s);
	s->n = 0;
	s->lengths = 0;
}
int64_t	sdc_keyset_add_many(struct sdc_keyset *s, const char *key,
	    size_t len);

/*
 * -1 when key[0..len) is new, and it is added as number n; otherwise
 * the number of the key it repeats.
 */
static inline int64_t
sdc_keyset_add(struct sdc_keyset *s, const char *key, size_t len)
{
	uint64_t bit = UINT64_C(1) << (len & 63);

	if (key == NULL)
		key = "";	/* an empty key may have no bytes at all */
	if (s->n >= SDC_KEYSET_FEW)
		return sdc_keyset_add_many(s, key, len);
	if (s->lengths & bit)
		for (uint32_t i = 0; i < s->n; i++)
			if (s->few[i].len == len &&
			    memcmp(s->few[i].ptr, key, len) == 0)
				return i;
	s->lengths |= bit;
	s->few[s->n].ptr = key;
	s->few[s->n].len = len;
	s->n++;
	return -1;
}

#endif
