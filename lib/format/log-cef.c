/*
 * ArcSight CEF and IBM QRadar LEEF lines, with the field names of the
 * StreamSets parsers:
 *
 *	CEF:0|Vendor|Product|1.0|100|Name|5|src=10.0.0.1 msg=a b spt=80
 *	LEEF:1.0|Vendor|Product|1.0|EventID|src=10.0.0.1<TAB>sev=5
 *	LEEF:2.0|Vendor|Product|1.0|EventID|^|src=10.0.0.1^sev=5
 *
 * The header fields split at unescaped bars; the extensions are
 * key=value pairs whose value runs to the last separator (a space in
 * CEF; a tab, or the LEEF 2.0 header's character, in LEEF) before the
 * next unescaped '='.  "cs1Label=Shop cs1=42" names cs1 "Shop".  The
 * keys the specifications define as numbers become LONG or DOUBLE,
 * their times in epoch milliseconds DATETIME.  Text before "CEF:" or
 * "LEEF:", a syslog header most often, is kept in /prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"
#include "log.h"

#define MAX_PAIRS	256

struct span {
	const char	*p;
	size_t		 n;
};

struct pair {
	struct span	key;
	struct span	value;
	bool		label;		/* xLabel=..., the name of x */
};

struct ext_format {
	const char	*magic;		/* "CEF:" */
	const char	*version_name;
	int		 headers;	/* after the version */
	const char	*const *names;
};

static const char *const cef_names[] = {
	"vendor", "product", "version", "signature", "name", "severity"
};
static const char *const leef_names[] = {
	"vendor", "product", "version", "eventId"
};
static const struct ext_format cef = { "CEF:", "cefVersion", 6, cef_names };
static const struct ext_format leef = { "LEEF:", "leefVersion", 4,
    leef_names };

/* Extension keys that hold numbers, and times in epoch milliseconds. */
static const char *const long_keys[] = {
	"cn1", "cn2", "cn3", "cnt", "dpid", "dpt", "dvcpid", "fsize", "in",
	"oldFileSize", "out", "spid", "spt", "sev", "srcPort", "dstPort",
	"srcPreNATPort", "dstPreNATPort", "srcPostNATPort", "dstPostNATPort",
	"srcBytes", "dstBytes", "srcPackets", "dstPackets", "totalPackets",
	"dlat", "dlong", NULL
};
static const char *const double_keys[] = {
	"cfp1", "cfp2", "cfp3", "cfp4", NULL
};
static const char *const time_keys[] = {
	"art", "deviceCustomDate1", "deviceCustomDate2", "end",
	"fileCreateTime", "fileModificationTime", "flexDate1",
	"oldFileCreateTime", "oldFileModificationTime", "rt", "start", NULL
};

static bool
no_match(struct sdc_log_why *why, size_t at, const char *what)
{
	snprintf(why->text, sizeof(why->text), "column %zu: %s", at + 1,
	    what);
	return false;
}

static bool
listed(const char *const *list, struct span k)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == k.n && memcmp(*list, k.p, k.n) == 0)
			return true;
	return false;
}

static struct span
trim(const char *p, size_t n)
{
	while (n > 0 && (*p == ' ' || *p == '\t'))
		p++, n--;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	return (struct span){ p, n };
}

/* The end of the field at p: the first bar not after a backslash. */
static size_t
header_end(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		else if (p[i] == '|')
			return i;
	}
	return n;
}

/* s without its escapes (\| \\ \= \n \r), copied when it has any. */
static void
put_text(struct sdc_record *rec, struct sdc_field *f, struct span s)
{
	char *out;
	size_t k = 0;

	if (memchr(s.p, '\\', s.n) == NULL) {
		sdc_field_borrow(f, SDC_STRING, s.p, s.n);
		return;
	}
	out = sdc_arena_alloc(&rec->arena, s.n);
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.n) {
			c = s.p[++i];
			c = c == 'n' ? '\n' : c == 'r' ? '\r' : c;
		}
		out[k++] = c;
	}
	sdc_field_borrow(f, SDC_STRING, out, k);
}

static bool
number(struct span s, int64_t *v)
{
	bool minus = s.n > 1 && s.p[0] == '-';

	if (!sdc_log_number(s.p + minus, s.n - minus, v))
		return false;
	*v = minus ? -*v : *v;
	return true;
}

static bool
decimal(struct span s, double *v)
{
	char buf[64], *end;

	if (s.n == 0 || s.n >= sizeof(buf) || !sdc_decimal_ok(s.p, s.n))
		return false;
	memcpy(buf, s.p, s.n);
	buf[s.n] = '\0';
	*v = strtod(buf, &end);
	return *end == '\0';
}

static void
put_value(struct sdc_record *rec, struct sdc_field *f, struct span key,
    struct span value)
{
	int64_t i;
	double d;

	if (listed(long_keys, key) && number(value, &i))
		sdc_field_int(f, SDC_LONG, i);
	else if (listed(double_keys, key) && decimal(value, &d))
		sdc_field_double(f, d);
	else if (listed(time_keys, key) && number(value, &i) &&
	    i < INT64_MAX / 1000 && i > INT64_MIN / 1000)
		sdc_field_int(f, SDC_DATETIME, i * 1000);
	else
		put_text(rec, f, value);
}

/* Where the next unescaped '=' of p is, or n. */
static size_t
next_equals(const char *p, size_t n, size_t from)
{
	for (size_t i = from; i < n; i++) {
		if (p[i] == '\\' && i + 1 < n)
			i++;
		else if (p[i] == '=')
			return i;
	}
	return n;
}

static size_t
last_separator(const char *p, size_t from, size_t to, char sep)
{
	for (size_t i = to; i > from; i--)
		if (p[i - 1] == sep)
			return i - 1;
	return to;
}

static bool
is_label(struct span k)
{
	return k.n > 5 && memcmp(k.p + k.n - 5, "Label", 5) == 0;
}

/*
 * Where the value after the '=' at eq ends: at the last separator
 * before the next '=' that has one before it, or at n.
 */
static size_t
value_end(const char *p, size_t n, size_t eq, char sep, size_t *next)
{
	size_t end;

	*next = eq;
	do {
		*next = next_equals(p, n, *next + 1);
		if (*next == n)
			return n;
		end = last_separator(p, eq + 1, *next, sep);
	} while (end == *next);
	return end;
}

/* The pairs of the extension p[0..n); false when there are too many. */
static bool
split_pairs(const char *p, size_t n, char sep, struct pair *pairs,
    size_t *count)
{
	size_t eq = next_equals(p, n, 0), key_at = 0;

	*count = 0;
	while (eq < n) {
		size_t next, end = value_end(p, n, eq, sep, &next);
		struct pair *x;

		if (*count == MAX_PAIRS)
			return false;
		x = &pairs[(*count)++];
		x->key = trim(p + key_at, eq - key_at);
		x->value = trim(p + eq + 1, end - eq - 1);
		x->label = is_label(x->key);
		key_at = end < n ? end + 1 : n;
		eq = next;
	}
	return true;
}

static struct span
label_of(const struct pair *pairs, size_t count, struct span key)
{
	for (size_t i = 0; i < count; i++)
		if (pairs[i].label && pairs[i].key.n == key.n + 5 &&
		    memcmp(pairs[i].key.p, key.p, key.n) == 0)
			return pairs[i].value;
	return key;
}

static bool
extensions(struct sdc_record *rec, const char *p, size_t n, char sep,
    struct sdc_log_why *why, size_t at)
{
	struct pair pairs[MAX_PAIRS];
	size_t count;
	struct sdc_field *map = sdc_map_append(&rec->arena, &rec->root,
	    "extensions", 10);

	if (!split_pairs(p, n, sep, pairs, &count))
		return no_match(why, at, "more than 256 extensions");
	sdc_field_container(map, SDC_MAP);
	for (size_t i = 0; i < count; i++) {
		struct span name;
		struct sdc_field *f;

		if (pairs[i].label)
			continue;
		name = label_of(pairs, count, pairs[i].key);
		f = sdc_map_put(&rec->arena, map, name.p, name.n);
		put_value(rec, f, pairs[i].key, pairs[i].value);
	}
	return true;
}

static void
put_version(struct sdc_record *rec, const struct ext_format *x,
    struct span v)
{
	struct sdc_field *f = sdc_map_append(&rec->arena, &rec->root,
	    x->version_name, strlen(x->version_name));
	int64_t i;
	double d;

	if (x == &cef && number(v, &i))
		sdc_field_int(f, SDC_LONG, i);
	else if (x == &leef && decimal(v, &d))
		sdc_field_double(f, d);
	else
		sdc_field_borrow(f, SDC_STRING, v.p, v.n);
}

static void
put_header(struct sdc_record *rec, const char *name, struct span v)
{
	struct sdc_field *f = sdc_map_append(&rec->arena, &rec->root, name,
	    strlen(name));
	int64_t i;

	if (strcmp(name, "severity") == 0 && number(v, &i))
		sdc_field_int(f, SDC_LONG, i);
	else
		put_text(rec, f, v);
}

/* LEEF 2.0's separator: one character, or its code in hex (x09, 0x09). */
static bool
leef_separator(struct span s, char *sep)
{
	char buf[8], *end;
	long v;
	size_t skip = s.n > 2 && s.p[0] == '0' && s.p[1] == 'x' ? 2 :
	    s.n > 1 && s.p[0] == 'x' ? 1 : 0;

	if (s.n == 1) {
		*sep = s.p[0];
		return true;
	}
	if (s.n - skip == 0 || s.n - skip > 2)
		return false;
	memcpy(buf, s.p + skip, s.n - skip);
	buf[s.n - skip] = '\0';
	v = strtol(buf, &end, 16);
	if (*end != '\0' || v <= 0)
		return false;
	*sep = (char)v;
	return true;
}

static const char *
find_magic(const char *p, size_t n, const char *magic)
{
	size_t m = strlen(magic);

	for (size_t i = 0; i + m <= n; i++)
		if (p[i] == magic[0] && memcmp(p + i, magic, m) == 0)
			return p + i;
	return NULL;
}

static void
put_prefix(struct sdc_record *rec, const char *p, size_t n)
{
	struct span s = trim(p, n);

	if (s.n > 0)
		sdc_field_borrow(sdc_map_append(&rec->arena, &rec->root,
		    "prefix", 6), SDC_STRING, s.p, s.n);
}

static bool
match(const struct ext_format *x, struct sdc_record *rec, const char *line,
    size_t n, struct sdc_log_why *why)
{
	const char *start = find_magic(line, n, x->magic);
	size_t pos, end;
	char sep = x == &cef ? ' ' : '\t';

	if (start == NULL) {
		snprintf(why->text, sizeof(why->text), "no \"%s\" in the line",
		    x->magic);
		return false;
	}
	put_prefix(rec, line, (size_t)(start - line));
	pos = (size_t)(start - line) + strlen(x->magic);
	end = pos + header_end(line + pos, n - pos);
	if (end == n)
		return no_match(why, pos, "a header with no '|' after it");
	put_version(rec, x, trim(line + pos, end - pos));
	for (int i = 0; i < x->headers; i++) {
		pos = end + 1;
		end = pos + header_end(line + pos, n - pos);
		if (end == n && i != x->headers - 1)
			return no_match(why, pos, "too few header fields");
		put_header(rec, x->names[i], (struct span){ line + pos,
		    end - pos });
	}
	pos = end < n ? end + 1 : n;
	if (x == &leef && (end = pos + header_end(line + pos, n - pos)) < n &&
	    next_equals(line, end, pos) == end) {
		if (!leef_separator((struct span){ line + pos, end - pos },
		    &sep))
			return no_match(why, pos, "a LEEF 2.0 separator that "
			    "is neither a character nor its hex code");
		pos = end + 1;
	}
	return extensions(rec, line + pos, n - pos, sep, why, pos);
}

bool
sdc_log_cef_match(struct sdc_record *rec, const char *p, size_t n,
    struct sdc_log_why *why)
{
	return match(&cef, rec, p, n, why);
}

bool
sdc_log_leef_match(struct sdc_record *rec, const char *p, size_t n,
    struct sdc_log_why *why)
{
	return match(&leef, rec, p, n, why);
}
