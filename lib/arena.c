#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "xalloc.h"
#include "banned.h"

#define ARENA_MIN_CHUNK	(16u << 10)
#define ARENA_ALIGN	8

struct sdc_arena_chunk {
	struct sdc_arena_chunk	*next;
	size_t			 size;	/* usable bytes after the header */
	_Alignas(ARENA_ALIGN) char data[];
};

void
sdc_arena_init(struct sdc_arena *a)
{
	a->chunks = NULL;
	a->next = a->end = NULL;
}

void
sdc_arena_release(struct sdc_arena *a)
{
	struct sdc_arena_chunk *c, *next;

	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	sdc_arena_init(a);
}

static void
use_chunk(struct sdc_arena *a, struct sdc_arena_chunk *c)
{
	a->next = c->data;
	a->end = c->data + c->size;
}

void
sdc_arena_reset(struct sdc_arena *a)
{
	struct sdc_arena_chunk *c, *next, *keep = NULL;

	if (a->chunks != NULL && a->chunks->next == NULL) {
		use_chunk(a, a->chunks);	/* the usual case, per record */
		return;
	}
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		if (keep == NULL || c->size > keep->size) {
			free(keep);
			keep = c;
		} else
			free(c);
	}
	a->chunks = keep;
	if (keep == NULL) {
		sdc_arena_init(a);
		return;
	}
	keep->next = NULL;
	use_chunk(a, keep);
}

static void
add_chunk(struct sdc_arena *a, size_t need)
{
	struct sdc_arena_chunk *c;
	size_t size = ARENA_MIN_CHUNK;

	if (a->chunks != NULL && a->chunks->size < (SIZE_MAX >> 2))
		size = a->chunks->size * 2;
	while (size < need)
		size *= 2;
	c = sdc_xmalloc(sizeof(*c) + size);
	c->size = size;
	c->next = a->chunks;
	a->chunks = c;
	use_chunk(a, c);
}

void *
sdc_arena_alloc(struct sdc_arena *a, size_t n)
{
	void *p;

	n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (n == 0)
		n = ARENA_ALIGN;
	if ((size_t)(a->end - a->next) < n)
		add_chunk(a, n);
	p = a->next;
	a->next += n;
	return p;
}

void *
sdc_arena_grow(struct sdc_arena *a, void *p, size_t old_n, size_t new_n)
{
	size_t old_r = (old_n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	size_t new_r = (new_n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	void *q;

	if (p != NULL && (char *)p + old_r == a->next &&
	    (size_t)(a->end - (char *)p) >= new_r) {
		a->next = (char *)p + new_r;
		return p;
	}
	q = sdc_arena_alloc(a, new_n);
	if (old_n != 0)
		memcpy(q, p, old_n < new_n ? old_n : new_n);
	return q;
}

char *
sdc_arena_memdup(struct sdc_arena *a, const void *p, size_t n)
{
	char *s = sdc_arena_alloc(a, n + 1);

	if (n != 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}
