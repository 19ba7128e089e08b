/* The loop's timers in a min-heap: see timer-heap.h. */
#include <stdlib.h>

#include "timer-heap.h"
#include "xalloc.h"
#include "banned.h"

static void
place(struct sdc_timer_heap *h, size_t i, struct sdc_timer_entry *e)
{
	h->v[i] = e;
	e->slot = i;
}

static void
sift_up(struct sdc_timer_heap *h, size_t i)
{
	struct sdc_timer_entry *e = h->v[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent]->due <= e->due)
			break;
		place(h, i, h->v[parent]);
		i = parent;
	}
	place(h, i, e);
}

static void
sift_down(struct sdc_timer_heap *h, size_t i)
{
	struct sdc_timer_entry *e = h->v[i];

	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && h->v[child + 1]->due < h->v[child]->due)
			child++;
		if (e->due <= h->v[child]->due)
			break;
		place(h, i, h->v[child]);
		i = child;
	}
	place(h, i, e);
}

void
sdc_timer_heap_release(struct sdc_timer_heap *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i]->slot = SDC_TIMER_UNARMED;
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

void
sdc_timer_heap_set(struct sdc_timer_heap *h, struct sdc_timer_entry *e,
    double due)
{
	if (e->slot != SDC_TIMER_UNARMED) {
		e->due = due;
		sift_up(h, e->slot);
		sift_down(h, e->slot);
		return;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->v = sdc_xreallocarray(h->v, h->cap, sizeof(*h->v));
	}
	e->due = due;
	place(h, h->n++, e);
	sift_up(h, e->slot);
}

void
sdc_timer_heap_remove(struct sdc_timer_heap *h, struct sdc_timer_entry *e)
{
	size_t i = e->slot;
	struct sdc_timer_entry *last;

	if (i == SDC_TIMER_UNARMED)
		return;
	e->slot = SDC_TIMER_UNARMED;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	place(h, i, last);
	sift_up(h, i);
	sift_down(h, last->slot);
}

struct sdc_timer_entry *
sdc_timer_heap_first(const struct sdc_timer_heap *h)
{
	return h->n > 0 ? h->v[0] : NULL;
}
