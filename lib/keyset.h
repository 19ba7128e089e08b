#ifndef SDC_KEYSET_H
#define SDC_KEYSET_H
/*
 * The distinct keys of one map, numbered in the order they were first
 * added: finding whether a key repeats one before it, in constant time
 * however many keys the map has.  Input can be made of maps of a
 * million keys on purpose, and a scan per key would be quadratic.
 *
 * The first SDC_KEYSET_FEW keys are scanned, comparing a fingerprint
 * that holds all of a key of up to eight bytes.  Past them, a hash
 * index takes over, keyed under a key drawn at random once per process,
 * so that keys that collide cannot be prepared in advance: keys of up
 * to eight bytes are hashed by mixing their fingerprint, longer ones
 * with SipHash-2-4.  The index is kept from map to map: a set that has
 * been used is emptied, not freed (sdc_keyset_clear).
 *
 * Once indexed, the slots of the current generation hold exactly the n
 * keys, never more, and at most half the slots are in use, so a probe
 * always meets a free slot.
 *
 * The set borrows the key bytes, which must stay put while it is used.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SDC_KEYSET_FEW	8

struct sdc_keyslot;

struct sdc_keyset {
	uint32_t		 n;
	uint64_t		 lengths;	/* bit len % 64 of the few */
	struct sdc_keyslot	*slots;		/* NULL until first needed */
	uint32_t		 mask;		/* slots - 1 */
	uint32_t		 gen;		/* marks the slots in use */
	uint32_t		 indexed;	/* the n keys are in the slots */
	struct {
		const char	*ptr;
		size_t		 len;
		uint64_t	 fp;
	} few[SDC_KEYSET_FEW];
};

/* The bytes of a key of up to 8 bytes, the first 8 of a longer one. */
static inline uint64_t
sdc_key_fingerprint(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	uint64_t w;
	uint32_t a, b;

	if (len >= 8) {
		memcpy(&w, s, 8);
		return w;
	}
	if (len >= 4) {	/* two words that overlap: every byte */
		memcpy(&a, s, 4);
		memcpy(&b, s + len - 4, 4);
		return a | (uint64_t)b << 32;
	}
	return len ? s[0] | (uint64_t)s[len / 2] << 8 |
	    (uint64_t)s[len - 1] << 16 : 0;
}

static inline void
sdc_keyset_init(struct sdc_keyset *s)
{
	memset(s, 0, offsetof(struct sdc_keyset, few));
}

void	sdc_keyset_clear_index(struct sdc_keyset *s);
/* Empty the set for the next map, keeping its memory. */
static inline void
sdc_keyset_clear(struct sdc_keyset *s)
{
	if (s->indexed)
		sdc_keyset_clear_index(s);
	s->n = 0;
	s->lengths = 0;
}

/* Empty the set for good. */
void	sdc_keyset_release(struct sdc_keyset *s);
/*
 * The calling thread's set for the maps nested level deep, emptied:
 * nested maps each have one, and their memory serves map after map.
 */
struct sdc_keyset *sdc_keyset_for_level(size_t level);

int64_t	sdc_keyset_add_many(struct sdc_keyset *s, const char *key,
	    size_t len, uint64_t fp);

/*
 * -1 when key[0..len) is new, and it is added as number n; otherwise
 * the number of the key it repeats.
 */
static inline int64_t
sdc_keyset_add(struct sdc_keyset *s, const char *key, size_t len)
{
	uint64_t bit = UINT64_C(1) << (len & 63), fp;

	if (key == NULL)
		key = "";	/* an empty key may have no bytes at all */
	fp = sdc_key_fingerprint(key, len);
	if (s->n >= SDC_KEYSET_FEW)
		return sdc_keyset_add_many(s, key, len, fp);
	if (s->lengths & bit)
		for (uint32_t i = 0; i < s->n; i++)
			if (s->few[i].fp == fp && s->few[i].len == len &&
			    (len <= 8 || memcmp(s->few[i].ptr, key, len) == 0))
				return i;
	s->lengths |= bit;
	s->few[s->n].ptr = key;
	s->few[s->n].len = len;
	s->few[s->n].fp = fp;
	s->n++;
	return -1;
}

#endif
