/* The table of active devices: open addressing on the keyed id. */
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "xalloc.h"
#include "banned.h"

static size_t
home(const struct sdc_device_table *t, const uint8_t id[SDC_DEVID_LEN])
{
	uint64_t h;

	memcpy(&h, id, sizeof h);
	return (size_t)h & t->mask;
}

void
sdc_devices_init(struct sdc_device_table *t, uint32_t nring, uint32_t nzones)
{
	memset(t, 0, sizeof(*t));
	t->mask = 1023;
	t->slots = sdc_xcalloc(t->mask + 1, sizeof(*t->slots));
	t->nring = nring;
	t->nzones = nzones;
}

static void
free_device(const struct sdc_device_table *t, struct sdc_device *d)
{
	uint32_t i;

	for (i = 0; i < t->nring; i++)
		free(d->ring[i].obs);
	free(d->ring);
	free(d->counted);
	free(d);
}

void
sdc_devices_release(struct sdc_device_table *t)
{
	size_t i;

	for (i = 0; t->slots != NULL && i <= t->mask; i++)
		if (t->slots[i] != NULL)
			free_device(t, t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static size_t
slot_of(const struct sdc_device_table *t, const uint8_t id[SDC_DEVID_LEN])
{
	size_t i = home(t, id);

	while (t->slots[i] != NULL && memcmp(t->slots[i]->id, id,
	    SDC_DEVID_LEN) != 0)
		i = (i + 1) & t->mask;
	return i;
}

struct sdc_device *
sdc_devices_find(const struct sdc_device_table *t,
    const uint8_t id[SDC_DEVID_LEN])
{
	return t->slots[slot_of(t, id)];
}

static void
grow(struct sdc_device_table *t)
{
	struct sdc_device **old = t->slots;
	size_t i, old_mask = t->mask;

	t->mask = old_mask * 2 + 1;
	t->slots = sdc_xcalloc(t->mask + 1, sizeof(*t->slots));
	for (i = 0; i <= old_mask; i++)
		if (old[i] != NULL)
			t->slots[slot_of(t, old[i]->id)] = old[i];
	free(old);
}

struct sdc_device *
sdc_devices_add(struct sdc_device_table *t, const uint8_t id[SDC_DEVID_LEN])
{
	struct sdc_device *d = sdc_xcalloc(1, sizeof(*d));
	uint32_t z;

	if ((t->n + 1) * 2 > t->mask + 1)
		grow(t);
	memcpy(d->id, id, SDC_DEVID_LEN);
	sdc_devid_hex(id, d->hex);
	d->ring = sdc_xcalloc(t->nring, sizeof(*d->ring));
	d->counted = sdc_xcalloc(t->nzones + 1, sizeof(*d->counted));
	for (z = 0; z < t->nzones; z++)
		d->counted[z] = INT64_MIN;
	d->zone = -1;
	t->slots[slot_of(t, id)] = d;
	t->n++;
	return d;
}

/* Linear probing's deletion: later entries of the run shift back. */
void
sdc_devices_remove(struct sdc_device_table *t, struct sdc_device *d)
{
	size_t i = slot_of(t, d->id), j = i;

	free_device(t, d);
	t->slots[i] = NULL;
	t->n--;
	for (;;) {
		size_t h;

		j = (j + 1) & t->mask;
		if (t->slots[j] == NULL)
			return;
		h = home(t, t->slots[j]->id);
		/* Move it unless its home lies cyclically in (i, j]. */
		if ((i <= j) ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		t->slots[i] = t->slots[j];
		t->slots[j] = NULL;
		i = j;
	}
}

struct sdc_window_slot *
sdc_device_slot(const struct sdc_device_table *t, struct sdc_device *d,
    int64_t index)
{
	struct sdc_window_slot *s;

	if (index < d->next_window || index >= d->next_window + t->nring)
		return NULL;
	s = &d->ring[(uint64_t)index % t->nring];
	if (s->n == 0) {
		s->index = index;
		d->pending++;
	}
	return s;
}

void
sdc_slot_add(struct sdc_window_slot *s, const struct sdc_obs *o)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->obs = sdc_xreallocarray(s->obs, s->cap, sizeof(*s->obs));
	}
	s->obs[s->n++] = *o;
}
