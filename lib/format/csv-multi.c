/*
 * Cells delimited by several bytes ("||", "::"), as StreamSets' multi
 * character delimited format: a record is one line, cells may be
 * quoted (a doubled quote standing for one, the delimiter taken as
 * text inside) and the escape character, when set, takes the next
 * byte as it is.
 */
#include <string.h>

#include "banned.h"
#include "csv-read.h"

static bool
put(struct sdc_csv_reader *r, const uint8_t *p, size_t n)
{
	if (sdc_buf_append(&r->field, p, n))
		return true;
	sdc_csv_parse_failed(r, "field longer than the record limit");
	return false;
}

static void
end_cell(struct sdc_csv_reader *r)
{
	sdc_csv_add_field(r, r->field.data, r->field.len);
	sdc_buf_reset(&r->field);
}

/* The quoted cell at p[i]: the index after its closing quote, or 0. */
static size_t
quoted_cell(struct sdc_csv_reader *r, const uint8_t *p, size_t i, size_t n)
{
	const struct sdc_csv_opts *o = r->o;

	for (i++; i < n; i++) {
		size_t k = 1;

		if (o->escape && p[i] == (uint8_t)o->escape && i + 1 < n)
			i++;
		else if (p[i] == (uint8_t)o->quote) {
			if (i + 1 < n && p[i + 1] == (uint8_t)o->quote)
				i++;
			else
				return i + 1;
		}
		if (!put(r, p + i, k))
			return 0;
	}
	sdc_csv_parse_failed(r, "unterminated quoted field");
	return 0;
}

void
sdc_csv_multi_line(struct sdc_csv_reader *r, size_t start, size_t end)
{
	const struct sdc_csv_opts *o = r->o;
	const char *d = o->multi_delimiter;
	size_t dlen = strlen(d), i = 0, n;
	const uint8_t *p = r->win.data + start;

	n = end - start;
	if (n > 0 && p[n - 1] == '\n')
		n--;
	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n == 0)
		return;
	r->line_ascii = false;
	sdc_buf_reset(&r->field);
	for (;;) {
		if (o->quote && i < n && p[i] == (uint8_t)o->quote) {
			if ((i = quoted_cell(r, p, i, n)) == 0)
				return;
			if (i < n && (n - i < dlen || memcmp(p + i, d, dlen))) {
				sdc_csv_parse_failed(r,
				    "text after a closing quote");
				return;
			}
		}
		while (i < n && (n - i < dlen || memcmp(p + i, d, dlen))) {
			size_t k = o->escape && p[i] == (uint8_t)o->escape &&
			    i + 1 < n;

			if (!put(r, p + i + k, 1))
				return;
			i += 1 + k;
		}
		end_cell(r);
		if (i >= n)
			break;
		i += dlen;
	}
	sdc_csv_end_row(r);
}
