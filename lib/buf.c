#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "xalloc.h"
#include "banned.h"

void
sdc_buf_init(struct sdc_buf *b, size_t max)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

void
sdc_buf_release(struct sdc_buf *b)
{
	free(b->data);
	sdc_buf_init(b, b->max);
}

bool
sdc_buf_grow(struct sdc_buf *b, size_t n)
{
	size_t want, cap;

	if (n > b->max - b->len)
		return false;
	want = b->len + n;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	if (cap > b->max)
		cap = b->max;
	b->data = sdc_xrealloc(b->data, cap);
	b->cap = cap;
	return true;
}

bool
sdc_buf_append(struct sdc_buf *b, const void *p, size_t n)
{
	if (!sdc_buf_reserve(b, n))
		return false;
	sdc_buf_put(b, p, n);
	return true;
}
