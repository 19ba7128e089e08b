#ifndef SDC_ARENA_H
#define SDC_ARENA_H
/*
 * A bump allocator for everything one record (or one batch) needs.
 * Memory is released all at once by sdc_arena_reset or _release; the
 * arena owns its chunks, callers own nothing they get from it.
 */
#include <stddef.h>

struct sdc_arena_chunk;

struct sdc_arena {
	struct sdc_arena_chunk	*chunks;	/* newest first */
	char			*next;
	char			*end;
};

void	 sdc_arena_init(struct sdc_arena *a);
void	 sdc_arena_release(struct sdc_arena *a);
/* Forget every allocation but keep the largest chunk for reuse. */
void	 sdc_arena_reset(struct sdc_arena *a);
/* 8-byte aligned; never NULL. */
void	*sdc_arena_alloc(struct sdc_arena *a, size_t n);
/* Like realloc: grows in place when p was the last allocation. */
void	*sdc_arena_grow(struct sdc_arena *a, void *p, size_t old_n,
	    size_t new_n);
/* Copy of n bytes followed by a NUL. */
char	*sdc_arena_memdup(struct sdc_arena *a, const void *p, size_t n);

#endif
