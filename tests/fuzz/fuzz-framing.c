/*
 * libFuzzer harness for the tcp origin's framing decoder: the first
 * byte picks the framing and the longest message, the next the line
 * separator; the rest is the stream, decoded whole and then as it would
 * come over a connection, in pieces whose sizes the stream's own bytes
 * choose, through a buffer of the origin's bound.  Both must give the
 * same messages, and the buffer must never pass its bound.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "framing.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t
mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return (h ^ 0xff) * 0x100000001b3ULL;
}

static uint64_t
note(uint64_t h, const struct sdc_framed *fr, size_t max)
{
	if (fr->kind == SDC_FRAMED_NEED)
		return h;
	if (fr->kind == SDC_FRAMED_MESSAGE && fr->n > max)
		abort();
	h = mix(h, &fr->kind, sizeof fr->kind);
	if (fr->kind == SDC_FRAMED_MESSAGE)
		h = mix(h, fr->p, fr->n);
	return h;
}

/* Decode buf whole or in pieces: the digest of what came out. */
static uint64_t
decode(int mode, const uint8_t *sep, size_t sep_len, size_t max,
    const uint8_t *p, size_t n, bool pieces)
{
	struct sdc_framer f;
	size_t cap = max + 32, len = 0, at = 0;
	uint8_t *buf = malloc(cap + 1);
	uint64_t h = 14695981039346656037ULL;
	bool eof = false, closed = false;

	sdc_framer_init(&f, (enum sdc_framing)mode, sep, sep_len, max);
	while (!closed && !(eof && len == 0)) {
		size_t room = cap - len, take = n - at;

		if (pieces && take > 0)
			take = 1 + p[at] % 7 * (p[at] % 3 == 0 ? 40 : 1);
		if (take > room)
			take = room;
		if (take > n - at)
			take = n - at;
		memcpy(buf + len, p + at, take);
		len += take;
		at += take;
		eof = at == n;
		for (;;) {
			struct sdc_framed fr;
			size_t pos = 0;

			sdc_framer_next(&f, buf + pos, len - pos, eof, &fr);
			if (fr.used > len)
				abort();
			h = note(h, &fr, max);
			memmove(buf, buf + fr.used, len - fr.used);
			len -= fr.used;
			if (fr.kind == SDC_FRAMED_BAD) {
				closed = true;
				break;
			}
			if (fr.kind == SDC_FRAMED_NEED && fr.used == 0)
				break;
		}
		if (len == cap && !closed)
			abort();	/* the decoder must make room */
		if (eof && !closed)
			break;
	}
	free(buf);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t seps[][3] = { "\n", "\r\n", "||", "\0" };
	int mode;
	size_t max, sep_len;
	const uint8_t *sep;

	if (size < 2)
		return 0;
	mode = data[0] & 3;
	max = 1 + (data[0] >> 2) * 3;
	sep = seps[data[1] & 3];
	sep_len = (data[1] & 3) == 3 ? 1 : strlen((const char *)sep);
	if (decode(mode, sep, sep_len, max, data + 2, size - 2, false) !=
	    decode(mode, sep, sep_len, max, data + 2, size - 2, true))
		abort();
	return 0;
}
