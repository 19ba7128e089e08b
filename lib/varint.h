#ifndef SDC_VARINT_H
#define SDC_VARINT_H
/* LEB128 varints and zig-zag signed integers, as sdc-record(5) says. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SDC_VARINT_MAX 10

/* Write v at p (room for SDC_VARINT_MAX bytes); the bytes written. */
static inline size_t
sdc_varint_put(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline uint64_t
sdc_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
sdc_unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Read a varint from [*p, end); false when cut short or over 64 bits. */
static inline bool
sdc_varint_get(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	const uint8_t *q = *p;
	uint64_t r = 0;
	unsigned shift = 0;

	if (q < end && *q < 0x80) {
		*v = *q;
		*p = q + 1;
		return true;
	}
	while (q < end) {
		uint8_t b = *q++;

		if (shift == 63 && b > 1)
			return false;
		r |= (uint64_t)(b & 0x7f) << shift;
		if (b < 0x80) {
			*v = r;
			*p = q;
			return true;
		}
		shift += 7;
		if (shift > 63)
			return false;
	}
	return false;
}

#endif
