/*
 * The dialects of delimited text StreamSets users know (its "Delimiter
 * Format Type", after Apache Commons CSV's formats), each a set of the
 * csv options; options after --dialect change them further.
 */
#include <string.h>

#include "banned.h"
#include "delimited.h"

const char *const sdc_csv_dialects[] = {
	"csv", "excel", "mysql", "tdf", "postgres-csv", "postgres-text", NULL
};

static void
plain(struct sdc_csv_opts *o, char delimiter)
{
	o->delimiter = delimiter;
	o->multi_delimiter = NULL;
	o->quote = '"';
	o->escape = 0;
	o->escape_controls = false;
	o->null_value = NULL;
	o->trim = false;
	o->quote_mode = SDC_QUOTE_MINIMAL;
	o->crlf = false;
}

/* MySQL's and PostgreSQL's text: tabs, backslash escapes, \N nulls. */
static void
backslashed(struct sdc_csv_opts *o)
{
	plain(o, '\t');
	o->quote = 0;
	o->escape = '\\';
	o->escape_controls = true;
	o->null_value = "\\N";
	o->quote_mode = SDC_QUOTE_NONE;
}

bool
sdc_csv_dialect(struct sdc_csv_opts *o, const char *name)
{
	if (strcmp(name, "csv") == 0)
		plain(o, ',');
	else if (strcmp(name, "excel") == 0) {
		plain(o, ',');
		o->crlf = true;
	} else if (strcmp(name, "tdf") == 0) {
		plain(o, '\t');
		o->trim = true;
	} else if (strcmp(name, "postgres-csv") == 0) {
		plain(o, ',');
		o->null_value = "";
	} else if (strcmp(name, "mysql") == 0 ||
	    strcmp(name, "postgres-text") == 0)
		backslashed(o);
	else
		return false;
	return true;
}
