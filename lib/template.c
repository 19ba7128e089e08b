/* Names and keys from templates: see template.h. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "path.h"
#include "template.h"
#include "xalloc.h"
#include "banned.h"

/* %Y year, %y its last two digits, %m month, %d day, %H hour, %M minute,
 * %S second, %j day of the year, %% a percent sign. */
#define TIME_CONVERSIONS	"YymdHMSj%"

enum part_kind { PART_TEXT, PART_FIELD, PART_ATTR, PART_UUID, PART_SEQ };

struct part {
	enum part_kind	 kind;
	char		*text;		/* TEXT (strftime's), ATTR's name */
	bool		 has_time;	/* TEXT holds %-conversions */
	struct sdc_path	 path;		/* FIELD */
};

struct sdc_template {
	struct part	*parts;
	size_t		 n;
	bool		 uses_record;
	bool		 uses_fields;
	bool		 varies;	/* attributes, uuid, seq */
	bool		 verbatim;	/* values as they are, not escaped */
	uint64_t	 seq;
};

static bool local_time;

void
sdc_template_timezone(const char *zone)
{
	local_time = zone != NULL;
	if (zone != NULL) {
		setenv("TZ", zone, 1);
		tzset();
	}
}

static struct part *
add_part(struct sdc_template *t, enum part_kind kind)
{
	struct part *p;

	t->parts = sdc_xrealloc(t->parts, (t->n + 1) * sizeof(*t->parts));
	p = &t->parts[t->n++];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	return p;
}

static void
add_text(struct sdc_template *t, const char *from, size_t len)
{
	struct part *p;

	if (len == 0)
		return;
	p = add_part(t, PART_TEXT);
	p->text = sdc_xmalloc(len + 1);
	memcpy(p->text, from, len);
	p->text[len] = '\0';
	p->has_time = memchr(from, '%', len) != NULL;
	if (p->has_time)
		t->uses_record = true;
}

/* Where text has a %-conversion that is not one of ours, or NULL. */
static const char *
bad_conversion(const char *text)
{
	for (const char *p = text; *p != '\0'; p++)
		if (*p == '%' && (p[1] == '\0' ||
		    strchr(TIME_CONVERSIONS, p[1]) == NULL))
			return p;
		else if (*p == '%')
			p++;
	return NULL;
}

/* The name inside ${...}: false with the reason in err. */
static bool
add_token(struct sdc_template *t, const char *name, char *err, size_t len)
{
	struct part *p;
	char why[160];

	if (strcmp(name, "uuid") == 0) {
		add_part(t, PART_UUID);
		t->varies = true;
	} else if (strcmp(name, "seq") == 0) {
		add_part(t, PART_SEQ);
		t->varies = true;
	} else if (strncmp(name, "attr:", 5) == 0 && name[5] != '\0') {
		p = add_part(t, PART_ATTR);
		p->text = sdc_xstrdup(name + 5);
		t->uses_record = t->varies = true;
	} else if (name[0] == '/') {
		p = add_part(t, PART_FIELD);
		if (sdc_path_parse(&p->path, name, why, sizeof why) != 0) {
			t->n--;
			snprintf(err, len, "${%s}: %s", name, why);
			return false;
		}
		t->uses_record = t->uses_fields = true;
	} else {
		snprintf(err, len, "${%s}: not a field path (/a/b), "
		    "attr:NAME, uuid or seq", name);
		return false;
	}
	return true;
}

struct sdc_template *
sdc_template_parse(const char *text, char *err, size_t len)
{
	struct sdc_template *t;
	const char *p = text, *lit = text, *bad = bad_conversion(text);

	if (bad != NULL) {
		snprintf(err, len, "byte %zu: '%%%.1s' is not one of %%Y, "
		    "%%y, %%m, %%d, %%H, %%M, %%S, %%j, %%%%",
		    (size_t)(bad - text) + 1, bad + 1);
		return NULL;
	}
	t = sdc_xcalloc(1, sizeof(*t));

	while (*p != '\0') {
		if (p[0] != '$') {
			p++;
			continue;
		}
		add_text(t, lit, (size_t)(p - lit));
		if (p[1] == '$') {
			add_text(t, "$", 1);
			lit = p += 2;
			continue;
		}
		if (p[1] != '{' || strchr(p, '}') == NULL) {
			snprintf(err, len, "byte %zu: '$' starts neither "
			    "${...} nor $$", (size_t)(p - text) + 1);
			sdc_template_free(t);
			return NULL;
		}
		{
			const char *end = strchr(p, '}');
			size_t n = (size_t)(end - p - 2);
			char *name = sdc_xmalloc(n + 1);
			bool ok;

			memcpy(name, p + 2, n);
			name[n] = '\0';
			ok = add_token(t, name, err, len);
			free(name);
			if (!ok) {
				sdc_template_free(t);
				return NULL;
			}
			lit = p = end + 1;
		}
	}
	add_text(t, lit, (size_t)(p - lit));
	return t;
}

bool
sdc_template_uses_record(const struct sdc_template *t)
{
	return t->uses_record;
}

bool
sdc_template_uses_fields(const struct sdc_template *t)
{
	return t->uses_fields;
}

bool
sdc_template_time_only(const struct sdc_template *t)
{
	return !t->uses_fields && !t->varies;
}

void
sdc_template_free(struct sdc_template *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->parts[i].text);
		if (t->parts[i].kind == PART_FIELD)
			sdc_path_release(&t->parts[i].path);
	}
	free(t->parts);
	free(t);
}

/* ---------------------------------------------------------------- output */

struct out {
	char	*dst;
	size_t	 len, n;	/* room, bytes needed so far */
	bool	 verbatim;
};

static void
put(struct out *o, const char *p, size_t n)
{
	if (o->n < o->len) {
		size_t room = o->len - o->n - 1;

		memcpy(o->dst + o->n, p, n < room ? n : room);
	}
	o->n += n;
}

/* A value as it is, but for NUL, which no C string can hold. */
static void
put_verbatim(struct out *o, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, p[i] == '\0' ? "_" : &p[i], 1);
}

/*
 * A value from a record, made safe for a path: separators, NUL and
 * control characters become '_', and so do ".", ".." and "".
 */
static void
put_escaped(struct out *o, const char *p, size_t n)
{
	if (o->verbatim) {
		put_verbatim(o, p, n);
		return;
	}
	if (n == 0 || (n == 1 && p[0] == '.') ||
	    (n == 2 && p[0] == '.' && p[1] == '.')) {
		put(o, "_", 1);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		char safe = c == '/' || c == '\\' || c < 0x20 || c == 0x7f ?
		    '_' : (char)c;

		put(o, &safe, 1);
	}
}

/* The %-conversions of a text part, from the broken-down time. */
static void
put_time(struct out *o, const char *fmt, int64_t ms)
{
	time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	struct tm tm;
	char num[16];
	int n;

	if (local_time)
		localtime_r(&secs, &tm);
	else
		gmtime_r(&secs, &tm);
	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			put(o, p, 1);
			continue;
		}
		switch (*++p) {
		case 'Y': n = snprintf(num, sizeof num, "%04d", tm.tm_year + 1900); break;
		case 'y': n = snprintf(num, sizeof num, "%02d", tm.tm_year % 100); break;
		case 'm': n = snprintf(num, sizeof num, "%02d", tm.tm_mon + 1); break;
		case 'd': n = snprintf(num, sizeof num, "%02d", tm.tm_mday); break;
		case 'H': n = snprintf(num, sizeof num, "%02d", tm.tm_hour); break;
		case 'M': n = snprintf(num, sizeof num, "%02d", tm.tm_min); break;
		case 'S': n = snprintf(num, sizeof num, "%02d", tm.tm_sec); break;
		case 'j': n = snprintf(num, sizeof num, "%03d", tm.tm_yday + 1); break;
		default: n = snprintf(num, sizeof num, "%%"); break;	/* %% */
		}
		put(o, num, (size_t)n);
	}
}

/* A scalar field's text; "_" for a container, null or missing field. */
static void
put_field(struct out *o, const struct sdc_field *f)
{
	char num[64];
	int n = -1;

	if (f == NULL || f->null) {
		put(o, "_", 1);
		return;
	}
	switch (f->type) {
	case SDC_STRING: case SDC_DECIMAL: case SDC_CHAR:
		put_escaped(o, f->v.s.ptr, f->v.s.len);
		return;
	case SDC_BOOLEAN:
		n = snprintf(num, sizeof num, "%s", f->v.b ? "true" : "false");
		break;
	case SDC_BYTE: case SDC_SHORT: case SDC_INTEGER: case SDC_LONG:
	case SDC_DATE: case SDC_DATETIME: case SDC_TIME:
		n = snprintf(num, sizeof num, "%" PRId64, f->v.i);
		break;
	case SDC_FLOAT:
		n = snprintf(num, sizeof num, "%.9g", (double)f->v.f);
		break;
	case SDC_DOUBLE:
		n = snprintf(num, sizeof num, "%.17g", f->v.d);
		break;
	default:
		break;
	}
	if (n < 0) {
		put(o, "_", 1);
		return;
	}
	put_escaped(o, num, (size_t)n);
}

static void
put_uuid(struct out *o)
{
	uint8_t b[16];
	char text[37];

	if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
		memset(b, 0, sizeof b);
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);		/* version 4 */
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);		/* RFC 4122 variant */
	snprintf(text, sizeof text, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
	put(o, text, 36);
}

static void
put_part(struct out *o, struct sdc_template *t, const struct part *p,
    const struct sdc_record *r, int64_t ms)
{
	char seq[24];
	const struct sdc_str *a;

	switch (p->kind) {
	case PART_TEXT:
		if (p->has_time)
			put_time(o, p->text, ms);
		else
			put(o, p->text, strlen(p->text));
		break;
	case PART_FIELD:
		/* sdc_path_get only reads, though its root is not const */
		put_field(o, r == NULL ? NULL : sdc_path_get(
		    (struct sdc_field *)&r->root, &p->path));
		break;
	case PART_ATTR:
		a = r == NULL ? NULL : sdc_record_attr(r, p->text);
		if (a == NULL)
			put(o, "_", 1);
		else
			put_escaped(o, a->ptr, a->len);
		break;
	case PART_UUID:
		put_uuid(o);
		break;
	case PART_SEQ:
		put(o, seq, (size_t)snprintf(seq, sizeof seq, "%" PRIu64,
		    t->seq));
		break;
	}
}

size_t
sdc_template_expand(struct sdc_template *t, const struct sdc_record *r,
    int64_t ms, char *dst, size_t len)
{
	struct out o = { dst, len, 0, t->verbatim };

	for (size_t i = 0; i < t->n; i++)
		put_part(&o, t, &t->parts[i], r, ms);
	if (len > 0)
		dst[o.n < len ? o.n : len - 1] = '\0';
	t->seq++;
	return o.n;
}

void
sdc_template_verbatim(struct sdc_template *t)
{
	t->verbatim = true;
}
