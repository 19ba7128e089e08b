/* Names to indexes, open addressing with linear probing. */
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "xalloc.h"
#include "banned.h"

static uint64_t
hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull;	/* FNV-1a */

	while (len-- > 0)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	return h ^ h >> 29;
}

void
sdc_names_init(struct sdc_names *t)
{
	t->mask = 15;
	t->n = 0;
	t->slots = sdc_xcalloc(t->mask + 1, sizeof(*t->slots));
}

void
sdc_names_release(struct sdc_names *t)
{
	free(t->slots);
	t->slots = NULL;
}

static size_t
slot_of(const struct sdc_names *t, const char *name, size_t len)
{
	size_t i = hash(name, len) & t->mask;

	while (t->slots[i].name != NULL && (t->slots[i].len != len ||
	    memcmp(t->slots[i].name, name, len) != 0))
		i = (i + 1) & t->mask;
	return i;
}

static void
grow(struct sdc_names *t)
{
	struct sdc_names old = *t;
	size_t i;

	t->mask = old.mask * 2 + 1;
	t->slots = sdc_xcalloc(t->mask + 1, sizeof(*t->slots));
	for (i = 0; i <= old.mask; i++)
		if (old.slots[i].name != NULL)
			t->slots[slot_of(t, old.slots[i].name,
			    old.slots[i].len)] = old.slots[i];
	free(old.slots);
}

int
sdc_names_add(struct sdc_names *t, const char *name, uint32_t index)
{
	size_t len = strlen(name), i;

	if ((t->n + 1) * 2 > t->mask + 1)
		grow(t);
	i = slot_of(t, name, len);
	if (t->slots[i].name != NULL)
		return 0;
	t->slots[i].name = name;
	t->slots[i].len = len;
	t->slots[i].index = index;
	t->n++;
	return 1;
}

long
sdc_names_find(const struct sdc_names *t, const char *name, size_t len)
{
	size_t i = slot_of(t, name, len);

	return t->slots[i].name != NULL ? (long)t->slots[i].index : -1;
}
