#ifndef SDC_BUF_H
#define SDC_BUF_H
/*
 * A growable byte buffer with a mandatory size cap: nothing read from
 * outside (a length prefix, a line) can make it grow past the cap.
 * The buffer owns its memory.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct sdc_buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;		/* allocated */
	size_t	 max;		/* cap that growth may never pass */
};

void	sdc_buf_init(struct sdc_buf *b, size_t max);
void	sdc_buf_release(struct sdc_buf *b);
bool	sdc_buf_grow(struct sdc_buf *b, size_t n);
bool	sdc_buf_append(struct sdc_buf *b, const void *p, size_t n);

/* Make room for n more bytes; false (and nothing changed) past max. */
static inline bool
sdc_buf_reserve(struct sdc_buf *b, size_t n)
{
	return n <= b->cap - b->len || sdc_buf_grow(b, n);
}

static inline void
sdc_buf_reset(struct sdc_buf *b)
{
	b->len = 0;
}

/*
 * memcpy for the short strings of records (keys, values): fixed-size
 * moves that overlap instead of a call.  Reads and writes only n bytes.
 */
static inline void
sdc_copy_small(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	uint64_t a, b;
	uint32_t x, y;

	if (n > 16) {
		memcpy(d, s, n);
	} else if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		memcpy(d, &x, 4);
		memcpy(d + n - 4, &y, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

/* Unchecked appends: the caller has reserved the room. */
static inline void
sdc_buf_put(struct sdc_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void
sdc_buf_putc(struct sdc_buf *b, uint8_t c)
{
	b->data[b->len++] = c;
}

#endif
