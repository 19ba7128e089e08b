/* memmem is a GNU extension. */
#define _GNU_SOURCE
/* Messages cut out of a byte stream: see framing.h. */
#include <string.h>

#include "framing.h"
#include "banned.h"

#define MAX_DIGITS	10

void
sdc_framer_init(struct sdc_framer *f, enum sdc_framing mode,
    const uint8_t *sep, size_t sep_len, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->sep = sep != NULL ? sep : (const uint8_t *)"\n";
	f->sep_len = sep != NULL ? sep_len : 1;
	f->max = max;
}

int
sdc_framing_parse(const char *name)
{
	static const char *const names[] = { "line", "octet-count",
	    "length-prefix", "auto" };

	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

static const uint8_t *
find_sep(const uint8_t *p, size_t n, const uint8_t *sep, size_t sep_len)
{
	if (sep_len == 1)
		return memchr(p, sep[0], n);
	return memmem(p, n, sep, sep_len);
}

static void
set(struct sdc_framed *out, enum sdc_framed_kind kind, const uint8_t *p,
    size_t n, size_t used)
{
	out->kind = kind;
	out->p = p;
	out->n = n;
	out->size = n;
	out->used = used;
	out->reason = NULL;
}

/* Dropping the rest of a refused line: up to and with its separator. */
static void
skip_line(struct sdc_framer *f, const uint8_t *buf, size_t len,
    const uint8_t *sep, size_t sep_len, struct sdc_framed *out)
{
	const uint8_t *at = find_sep(buf, len, sep, sep_len);
	size_t keep = sep_len - 1;	/* a separator cut in two */

	if (at != NULL) {
		f->skip_line = false;
		set(out, SDC_FRAMED_NEED, NULL, 0, (size_t)(at - buf) + sep_len);
		return;
	}
	set(out, SDC_FRAMED_NEED, NULL, 0, len > keep ? len - keep : 0);
}

static void
next_line(struct sdc_framer *f, const uint8_t *buf, size_t len, bool eof,
    const uint8_t *sep, size_t sep_len, struct sdc_framed *out)
{
	size_t look = len < f->max + sep_len ? len : f->max + sep_len;
	const uint8_t *at;

	if (f->skip_line) {
		skip_line(f, buf, len, sep, sep_len, out);
		return;
	}
	if ((at = find_sep(buf, look, sep, sep_len)) != NULL) {
		set(out, SDC_FRAMED_MESSAGE, buf, (size_t)(at - buf),
		    (size_t)(at - buf) + sep_len);
		return;
	}
	/* Too large once a separator could have come and has not: a
	 * buffer of max bytes and the start of a separator may yet be one
	 * message of max bytes. */
	if (len >= f->max + sep_len || (eof && len > f->max)) {
		set(out, SDC_FRAMED_TOO_LARGE, buf, f->max, f->max);
		out->size = 0;		/* not known */
		f->skip_line = true;
		return;
	}
	if (eof && len > 0)
		set(out, SDC_FRAMED_MESSAGE, buf, len, len);
	else
		set(out, SDC_FRAMED_NEED, NULL, 0, 0);
}

static void
bad(struct sdc_framed *out, const char *reason)
{
	set(out, SDC_FRAMED_BAD, NULL, 0, 0);
	out->reason = reason;
}

/* "LEN SP": the header's length (0 when more bytes are needed). */
static size_t
octet_header(const uint8_t *buf, size_t len, uint64_t *count,
    struct sdc_framed *out)
{
	uint64_t v = 0;
	size_t i;

	if (len > 0 && buf[0] == '0') {
		bad(out, "octet count with a leading zero");
		return 0;
	}
	for (i = 0; i < len && i <= MAX_DIGITS; i++) {
		if (buf[i] == ' ')
			break;
		if (buf[i] < '0' || buf[i] > '9') {
			bad(out, "octet count is not a number");
			return 0;
		}
		v = v * 10 + (uint64_t)(buf[i] - '0');
	}
	if (i > MAX_DIGITS || (i == 0 && len > 0)) {
		bad(out, i == 0 ? "octet count missing" :
		    "octet count of more than 10 digits");
		return 0;
	}
	if (i == len) {
		set(out, SDC_FRAMED_NEED, NULL, 0, 0);
		return 0;
	}
	*count = v;
	return i + 1;
}

static size_t
length_header(const uint8_t *buf, size_t len, uint64_t *count,
    struct sdc_framed *out)
{
	if (len < 4) {
		set(out, SDC_FRAMED_NEED, NULL, 0, 0);
		return 0;
	}
	*count = (uint64_t)buf[0] << 24 | (uint64_t)buf[1] << 16 |
	    (uint64_t)buf[2] << 8 | buf[3];
	return 4;
}

/* A frame of count bytes after hdr header bytes. */
static void
counted(struct sdc_framer *f, const uint8_t *buf, size_t len, bool eof,
    size_t hdr, uint64_t count, struct sdc_framed *out)
{
	size_t have = len - hdr;

	if (count > f->max) {
		size_t n = have < f->max ? have : f->max;

		set(out, SDC_FRAMED_TOO_LARGE, buf + hdr, n, hdr + n);
		out->size = count;
		f->skip = count - n;
		return;
	}
	if (have >= count)
		set(out, SDC_FRAMED_MESSAGE, buf + hdr, (size_t)count,
		    hdr + (size_t)count);
	else if (eof)
		bad(out, "the stream ends inside a counted frame");
	else
		set(out, SDC_FRAMED_NEED, NULL, 0, 0);
}

void
sdc_framer_next(struct sdc_framer *f, const uint8_t *buf, size_t len,
    bool eof, struct sdc_framed *out)
{
	uint64_t count = 0;
	size_t hdr;

	if (f->skip > 0) {
		size_t n = f->skip < len ? (size_t)f->skip : len;

		f->skip -= n;
		set(out, SDC_FRAMED_NEED, NULL, 0, n);
		return;
	}
	switch (f->mode) {
	case SDC_FRAMING_LINE:
		next_line(f, buf, len, eof, f->sep, f->sep_len, out);
		return;
	case SDC_FRAMING_AUTO:
		if (f->skip_line || len == 0 || buf[0] < '1' || buf[0] > '9') {
			next_line(f, buf, len, eof, (const uint8_t *)"\n", 1,
			    out);
			return;
		}
		/* FALLTHROUGH */
	case SDC_FRAMING_OCTET_COUNT:
		hdr = octet_header(buf, len, &count, out);
		break;
	case SDC_FRAMING_LENGTH_PREFIX:
		hdr = length_header(buf, len, &count, out);
		break;
	default:
		hdr = 0;
		bad(out, "unknown framing");
		break;
	}
	if (hdr == 0) {
		if (eof && out->kind == SDC_FRAMED_NEED && len > 0)
			bad(out, "the stream ends inside a frame header");
		return;
	}
	counted(f, buf, len, eof, hdr, count, out);
}
