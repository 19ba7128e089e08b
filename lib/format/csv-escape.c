/*
 * CSV with an escape character, which libcsv does not know: a byte
 * after the escape is taken as it is when it is the delimiter, the
 * quote, the escape, CR or LF, and otherwise the escape is kept too.
 * Quoting is as RFC 4180 (a doubled quote still stands for one), and
 * there is none when the quote is 0.  With escape_controls (MySQL and
 * PostgreSQL text) \n, \t, \r, \b, \f, \v and \0 stand for those
 * characters.  Fed one physical line at a time, as libcsv is.
 */
#include <string.h>

#include "banned.h"
#include "csv-read.h"

enum {
	ESC_FIELD_START,
	ESC_UNQUOTED,
	ESC_QUOTED,
	ESC_AFTER_QUOTE		/* a quote: closing, or doubled */
};

void
sdc_csv_escape_reset(struct sdc_csv_reader *r)
{
	r->esc_state = ESC_FIELD_START;
	r->esc_pending = false;
	sdc_buf_reset(&r->field);
}

bool
sdc_csv_escape_open(const struct sdc_csv_reader *r)
{
	return r->esc_state != ESC_FIELD_START || r->esc_pending ||
	    r->ncols > 0 || r->field.len > 0;
}

static bool
put(struct sdc_csv_reader *r, uint8_t c)
{
	if (sdc_buf_append(&r->field, &c, 1))
		return true;
	sdc_csv_parse_failed(r, "field longer than the record limit");
	return false;
}

static void
end_field(struct sdc_csv_reader *r)
{
	sdc_csv_add_field(r, r->field.data, r->field.len);
	sdc_buf_reset(&r->field);
	r->esc_state = ESC_FIELD_START;
}

static bool
is_quote(const struct sdc_csv_opts *o, uint8_t c)
{
	return o->quote != 0 && c == (uint8_t)o->quote;
}

/* The control character \c stands for, or 0xff for none. */
static uint8_t
control(uint8_t c)
{
	static const char from[] = "ntrbfv0";
	static const char to[] = { '\n', '\t', '\r', '\b', '\f', '\v', '\0' };
	const char *at = c ? strchr(from, c) : NULL;

	return at == NULL ? 0xff : (uint8_t)to[at - from];
}

static bool
escaped(struct sdc_csv_reader *r, uint8_t c)
{
	const struct sdc_csv_opts *o = r->o;
	uint8_t ctl = o->escape_controls ? control(c) : 0xff;

	r->esc_pending = false;
	if (r->esc_state == ESC_FIELD_START)
		r->esc_state = ESC_UNQUOTED;
	if (ctl != 0xff)
		return put(r, ctl);
	if (c != (uint8_t)o->delimiter && !is_quote(o, c) &&
	    c != (uint8_t)o->escape && c != '\r' && c != '\n' &&
	    !put(r, (uint8_t)o->escape))
		return false;
	return put(r, c);
}

/* A CR or LF outside quotes ends the row (an empty row is none). */
static void
end_of_line(struct sdc_csv_reader *r)
{
	if (r->esc_state == ESC_FIELD_START && r->ncols == 0)
		return;
	end_field(r);
	r->line_ascii = false;
	sdc_csv_end_row(r);
}

static bool
unquoted(struct sdc_csv_reader *r, uint8_t c)
{
	const struct sdc_csv_opts *o = r->o;

	if (c == (uint8_t)o->escape)
		r->esc_pending = true;
	else if (is_quote(o, c) && r->esc_state == ESC_FIELD_START)
		r->esc_state = ESC_QUOTED;
	else if (is_quote(o, c)) {
		sdc_csv_parse_failed(r, "quote inside an unquoted field");
		return false;
	} else if (c == (uint8_t)o->delimiter)
		end_field(r);
	else if (c == '\r' || c == '\n')
		end_of_line(r);
	else {
		r->esc_state = ESC_UNQUOTED;
		return put(r, c);
	}
	return true;
}

static bool
quoted(struct sdc_csv_reader *r, uint8_t c)
{
	const struct sdc_csv_opts *o = r->o;

	if (r->esc_state == ESC_QUOTED) {
		if (c == (uint8_t)o->quote)
			r->esc_state = ESC_AFTER_QUOTE;
		else if (c == (uint8_t)o->escape)
			r->esc_pending = true;
		else
			return put(r, c);
		return true;
	}
	if (c == (uint8_t)o->quote) {
		r->esc_state = ESC_QUOTED;
		return put(r, c);
	}
	if (c == (uint8_t)o->delimiter)
		end_field(r);
	else if (c == '\r' || c == '\n')
		end_of_line(r);
	else {
		sdc_csv_parse_failed(r, "text after a closing quote");
		return false;
	}
	return true;
}

void
sdc_csv_escape_line(struct sdc_csv_reader *r, size_t start, size_t end)
{
	r->line_ascii = false;
	for (size_t i = start; i < end; i++) {
		uint8_t c = r->win.data[i];
		bool ok;

		if (r->esc_pending)
			ok = escaped(r, c);
		else if (r->esc_state == ESC_QUOTED ||
		    r->esc_state == ESC_AFTER_QUOTE)
			ok = quoted(r, c);
		else
			ok = unquoted(r, c);
		if (!ok)
			return;
	}
}

void
sdc_csv_escape_finish(struct sdc_csv_reader *r)
{
	if (r->esc_pending)
		sdc_csv_parse_failed(r, "escape at the end of the input");
	else if (r->esc_state == ESC_QUOTED)
		sdc_csv_parse_failed(r, "unterminated quoted field");
	else if (sdc_csv_escape_open(r)) {
		end_field(r);
		sdc_csv_end_row(r);
	}
}
