/* The framing decoder of the tcp origin, case by case. */
#include <string.h>

#include "framing.h"
#include "tap.h"

static struct sdc_framed
next(struct sdc_framer *f, const char *s, bool eof)
{
	struct sdc_framed fr;

	sdc_framer_next(f, (const uint8_t *)s, strlen(s), eof, &fr);
	return fr;
}

static bool
message(const struct sdc_framed *fr, const char *want, size_t used)
{
	return fr->kind == SDC_FRAMED_MESSAGE && fr->n == strlen(want) &&
	    memcmp(fr->p, want, fr->n) == 0 && fr->used == used;
}

int
main(void)
{
	struct sdc_framer f;
	struct sdc_framed fr;

	sdc_framer_init(&f, SDC_FRAMING_LINE, (const uint8_t *)"\r\n", 2, 8);
	fr = next(&f, "ab\r\ncd", false);
	ok(message(&fr, "ab", 4), "line: up to a two-byte separator");
	fr = next(&f, "cd", false);
	ok(fr.kind == SDC_FRAMED_NEED && fr.used == 0, "line: a part waits");
	fr = next(&f, "cd", true);
	ok(message(&fr, "cd", 2), "line: the last one without its separator");
	fr = next(&f, "0123456789\r", false);
	ok(fr.kind == SDC_FRAMED_TOO_LARGE && fr.n == 8 && fr.used == 8,
	    "line: too long, refused with its first max bytes");
	fr = next(&f, "89\r", false);
	ok(fr.kind == SDC_FRAMED_NEED && fr.used == 2,
	    "line: the rest skipped, keeping a separator's first byte");
	fr = next(&f, "\r\nok\r\n", false);
	ok(fr.kind == SDC_FRAMED_NEED && fr.used == 2, "line: skipped to it");
	fr = next(&f, "ok\r\n", false);
	ok(message(&fr, "ok", 4), "line: and the next one is taken");
	fr = next(&f, "01234567\r", false);
	ok(fr.kind == SDC_FRAMED_NEED && fr.used == 0,
	    "line: max bytes and half a separator wait for the rest");
	fr = next(&f, "01234567\r\n", false);
	ok(message(&fr, "01234567", 10), "line: a message of max bytes");
	fr = next(&f, "012345678", true);
	ok(fr.kind == SDC_FRAMED_TOO_LARGE, "line: past max at the end");
	sdc_framer_init(&f, SDC_FRAMING_LINE, (const uint8_t *)"\r\n", 2, 8);

	sdc_framer_init(&f, SDC_FRAMING_AUTO, NULL, 0, 100);
	fr = next(&f, "4 a\nbc<13>x\n", false);
	ok(message(&fr, "a\nbc", 6), "auto: an octet count keeps its newline");
	fr = next(&f, "<13>x\n", false);
	ok(message(&fr, "<13>x", 6), "auto: a frame without a count is a line");
	fr = next(&f, "12345678901 x", false);
	ok(fr.kind == SDC_FRAMED_BAD, "auto: an 11-digit count is bad");

	sdc_framer_init(&f, SDC_FRAMING_OCTET_COUNT, NULL, 0, 4);
	fr = next(&f, "6 abcdef", false);
	ok(fr.kind == SDC_FRAMED_TOO_LARGE && fr.size == 6 && fr.n == 4 &&
	    fr.used == 6, "octet-count: too large, its size known");
	fr = next(&f, "ef3 xyz", false);
	ok(fr.kind == SDC_FRAMED_NEED && fr.used == 2, "octet-count: rest dropped");
	fr = next(&f, "3 xy", true);
	ok(fr.kind == SDC_FRAMED_BAD, "octet-count: cut short by the end");
	fr = next(&f, "05 abcde", false);
	ok(fr.kind == SDC_FRAMED_BAD, "octet-count: a leading zero is bad");

	sdc_framer_init(&f, SDC_FRAMING_LENGTH_PREFIX, NULL, 0, 16);
	sdc_framer_next(&f, (const uint8_t *)"\0\0\0\3abcd", 8, false, &fr);
	ok(message(&fr, "abc", 7), "length-prefix: four bytes, big-endian");
	is_int(sdc_framing_parse("octet-count"), SDC_FRAMING_OCTET_COUNT,
	    "the names of the framings");
	return tap_done();
}
