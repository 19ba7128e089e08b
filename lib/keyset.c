/* Sets of map keys: a scan for a few, a keyed hash index for many. */
#include <stdlib.h>
#include <string.h>

#include "keyset.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_keyslot {
	const char	*ptr;		/* NULL: empty */
	size_t		 len;
	uint32_t	 hash;
	uint32_t	 number;
};

static inline uint64_t
rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline void
sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13) ^ v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16) ^ v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21) ^ v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17) ^ v[2];
	v[2] = rotl(v[2], 32);
}

static inline void
sip_word(uint64_t v[4], uint64_t m)
{
	v[3] ^= m;
	sip_round(v);
	sip_round(v);
	v[0] ^= m;
}

static uint64_t
le64(const uint8_t *p, size_t n)
{
	uint64_t w = 0;

	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)p[i] << (8 * i);
	return w;
}

uint64_t
sdc_siphash(const uint64_t k[2], const void *data, size_t n)
{
	const uint8_t *p = data;
	uint64_t v[4] = {
		k[0] ^ UINT64_C(0x736f6d6570736575),
		k[1] ^ UINT64_C(0x646f72616e646f6d),
		k[0] ^ UINT64_C(0x6c7967656e657261),
		k[1] ^ UINT64_C(0x7465646279746573),
	};
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		sip_word(v, le64(p + i, 8));
	sip_word(v, le64(p + i, n - i) | (uint64_t)(n & 0xff) << 56);
	v[2] ^= 0xff;
	for (int r = 0; r < 4; r++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

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
