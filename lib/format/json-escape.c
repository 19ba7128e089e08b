/* Escaping the bytes of JSON strings that cannot be copied as they are. */
#include "json-escape.h"
#include "utf8.h"
#include "banned.h"

const uint8_t sdc_json_esc_class[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

#define PUT_LIT(b, lit)	sdc_buf_put(b, lit, sizeof(lit) - 1)

static void
put_escape(struct sdc_buf *b, uint8_t c)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t *d;

	switch (c) {
	case '"':  PUT_LIT(b, "\\\""); return;
	case '\\': PUT_LIT(b, "\\\\"); return;
	case '\b': PUT_LIT(b, "\\b"); return;
	case '\f': PUT_LIT(b, "\\f"); return;
	case '\n': PUT_LIT(b, "\\n"); return;
	case '\r': PUT_LIT(b, "\\r"); return;
	case '\t': PUT_LIT(b, "\\t"); return;
	}
	d = b->data + b->len;
	memcpy(d, "\\u00", 4);
	d[4] = hex[c >> 4];
	d[5] = hex[c & 15];
	b->len += 6;
}

bool
sdc_json_put_escaped(struct sdc_buf *b, const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + n, *run = p;
	bool valid = true;
	size_t len;

	while (p < end) {
		if (end - p >= 8 && sdc_json_plain_at(p)) {
			p += 8;
			continue;
		}
		if (sdc_json_esc_class[*p] == 0) {
			p++;
			continue;
		}
		sdc_buf_put(b, run, p - run);
		if (*p < 0x80) {
			put_escape(b, *p++);
		} else if ((len = sdc_utf8_seq_len(p, end)) != 0) {
			sdc_buf_put(b, p, len);
			p += len;
		} else {
			PUT_LIT(b, "\xef\xbf\xbd");
			valid = false;
			p++;
		}
		run = p;
	}
	sdc_buf_put(b, run, p - run);
	return valid;
}
