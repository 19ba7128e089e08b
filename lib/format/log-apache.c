/*
 * Apache access logs: a LogFormat string compiled into a list of
 * literals and directives, and a scanner that walks a line along it.
 * A directive's value ends where the next literal begins: at the next
 * unescaped quote when the directive is quoted, after the ']' of %t,
 * else at the first byte of the literal that follows it (or the end
 * of the line).  No regular expression is involved, which is what
 * makes it fast; the fields are those StreamSets gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "banned.h"
#include "log.h"
#include "temporal.h"
#include "xalloc.h"

enum value_kind {
	V_STRING,
	V_LONG,
	V_CLF_TIME,	/* [10/Oct/2000:13:55:36 -0700] */
	V_EPOCH,	/* %{sec}t and the like: a number of units */
	V_REQUEST	/* common and combined: verb, request, httpversion */
};

struct item {
	const char	*lit;		/* literal text before the directive */
	size_t		 litlen;
	const char	*name;		/* NULL: the trailing literal only */
	size_t		 namelen;
	enum value_kind	 kind;
	int64_t		 unit;		/* V_EPOCH: microseconds per unit */
	char		 directive[24];	/* "%>s", for messages */
	bool		 quoted;
};

struct sdc_log_apache {
	struct item	*items;
	size_t		 n;
	char		*text;		/* literals and names point into it */
};

struct directive {
	char		 letter;
	const char	*name;		/* StreamSets' Apache custom format */
	const char	*clf;		/* its common and combined formats */
	enum value_kind	 kind;
};

static const struct directive directives[] = {
	{ 'a', "remoteIpAddress", NULL, V_STRING },
	{ 'A', "localIpAddress", NULL, V_STRING },
	{ 'b', "bytesSent", "bytes", V_LONG },
	{ 'B', "bytesSent", "bytes", V_LONG },
	{ 'D', "timeToServeMicroSecs", NULL, V_LONG },
	{ 'f', "filename", NULL, V_STRING },
	{ 'h', "remoteHost", "clientip", V_STRING },
	{ 'H', "requestProtocol", NULL, V_STRING },
	{ 'I', "bytesReceived", NULL, V_LONG },
	{ 'k', "keepAlive", NULL, V_LONG },
	{ 'l', "logName", "ident", V_STRING },
	{ 'm', "requestMethod", NULL, V_STRING },
	{ 'p', "canonicalPort", NULL, V_LONG },
	{ 'P', "childPid", NULL, V_LONG },
	{ 'q', "queryString", NULL, V_STRING },
	{ 'r', "request", NULL, V_STRING },
	{ 'R', "responseHandler", NULL, V_STRING },
	{ 's', "status", "response", V_LONG },
	{ 't', "requestTime", "timestamp", V_CLF_TIME },
	{ 'T', "timeToServeRequest", NULL, V_LONG },
	{ 'u', "remoteUser", "auth", V_STRING },
	{ 'U', "urlPath", NULL, V_STRING },
	{ 'v', "canonicalServerName", NULL, V_STRING },
	{ 'V', "serverName", NULL, V_STRING },
	{ 'X', "connectionStatus", NULL, V_STRING },
	{ 0, NULL, NULL, V_STRING }
};

void
sdc_log_apache_free(struct sdc_log_apache *a)
{
	if (a == NULL)
		return;
	free(a->items);
	free(a->text);
	free(a);
}

/* Building: text is a copy of the format with room for names. */
struct builder {
	struct sdc_log_apache	*a;
	size_t			 cap;
	char			*out;	/* next free byte of a->text */
	bool			 clf;
	char			*err;
	size_t			 errlen;
};

static struct item *
new_item(struct builder *b)
{
	struct sdc_log_apache *a = b->a;

	if (a->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 16;
		a->items = sdc_xreallocarray(a->items, b->cap,
		    sizeof(*a->items));
	}
	memset(&a->items[a->n], 0, sizeof(a->items[0]));
	a->items[a->n].lit = b->out;
	return &a->items[a->n++];
}

static const char *
header_name(const char *arg, size_t n, char letter, bool clf)
{
	if (letter == 'i' && n == 7 && strncasecmp(arg, "Referer", 7) == 0)
		return clf ? "referrer" : "referer";
	if (letter == 'i' && n == 10 && strncasecmp(arg, "User-agent", 10) == 0)
		return clf ? "agent" : "userAgent";
	return NULL;
}

/* %{ARG}t: the units of an epoch, or a strftime format kept as text. */
static void
time_arg(struct item *it, const char *arg, size_t n)
{
	if (n > 6 && strncmp(arg, "begin:", 6) == 0)
		arg += 6, n -= 6;
	else if (n > 4 && strncmp(arg, "end:", 4) == 0)
		arg += 4, n -= 4;
	it->kind = V_STRING;
	if (n == 3 && strncmp(arg, "sec", 3) == 0)
		it->kind = V_EPOCH, it->unit = 1000000;
	else if (n == 4 && strncmp(arg, "msec", 4) == 0)
		it->kind = V_EPOCH, it->unit = 1000;
	else if (n == 4 && strncmp(arg, "usec", 4) == 0)
		it->kind = V_EPOCH, it->unit = 1;
	else if (n == 9 && strncmp(arg, "msec_frac", 9) == 0)
		it->kind = V_LONG, it->name = "requestTimeMsecFrac";
	else if (n == 9 && strncmp(arg, "usec_frac", 9) == 0)
		it->kind = V_LONG, it->name = "requestTimeUsecFrac";
}

/* "'%>x': why" */
static bool
fail(struct builder *b, const char *what, size_t n, const char *why)
{
	snprintf(b->err, b->errlen, "'%.*s': %s", (int)n, what, why);
	return false;
}

/* The directive at *pp (after the '%'), its item's name and kind. */
static bool
directive(struct builder *b, struct item *it, const char **pp)
{
	const char *p = *pp, *start = p - 1, *arg = NULL;
	size_t argn = 0;
	const struct directive *d;

	while (*p == '<' || *p == '>' || *p == '!' || *p == ',' ||
	    (*p >= '0' && *p <= '9'))
		p++;
	if (*p == '{') {
		const char *close = strchr(p, '}');

		if (close == NULL)
			return fail(b, start, strlen(start), "no closing brace");
		arg = p + 1;
		argn = (size_t)(close - arg);
		p = close + 1;
	}
	if (*p == '\0')
		return fail(b, start, strlen(start), "no directive after '%'");
	snprintf(it->directive, sizeof(it->directive), "%.*s",
	    (int)(p + 1 - start), start);
	*pp = p + 1;
	if (arg != NULL && (*p == 'i' || *p == 'o' || *p == 'e' ||
	    *p == 'C' || *p == 'n')) {
		const char *fixed = header_name(arg, argn, *p, b->clf);

		it->name = fixed ? fixed : b->out;
		it->namelen = fixed ? strlen(fixed) : argn;
		if (fixed == NULL) {
			memcpy(b->out, arg, argn);
			b->out += argn;
		}
		if (argn == 0)
			return fail(b, start, (size_t)(p + 1 - start),
			    "an empty name");
		it->kind = V_STRING;
		return true;
	}
	for (d = directives; d->letter != 0 && d->letter != *p; d++)
		continue;
	if (d->letter == 0)
		return fail(b, start, (size_t)(p + 1 - start),
		    "an unknown or unsupported directive");
	it->name = b->clf && d->clf ? d->clf : d->name;
	it->kind = d->kind;
	if (d->letter == 't' && arg != NULL)
		time_arg(it, arg, argn);
	it->namelen = strlen(it->name);
	if (d->letter == 'r' && b->clf)
		it->kind = V_REQUEST;
	return true;
}

/* Quoted directives, and no two with nothing between them. */
static bool
finish(struct builder *b)
{
	struct sdc_log_apache *a = b->a;

	for (size_t i = 0; i < a->n; i++) {
		struct item *it = &a->items[i];
		const struct item *next = it + 1;	/* the last has no name */

		if (it->name == NULL)
			continue;
		if (next->name != NULL && next->litlen == 0 &&
		    it->kind != V_CLF_TIME)
			return fail(b, it->directive, strlen(it->directive),
			    "nothing between it and the directive after it");
		it->quoted = it->litlen > 0 && it->lit[it->litlen - 1] == '"' &&
		    next->litlen > 0 && next->lit[0] == '"';
		for (size_t j = 0; j < i; j++)
			if (a->items[j].name != NULL &&
			    a->items[j].namelen == it->namelen &&
			    memcmp(a->items[j].name, it->name,
			    it->namelen) == 0)
				return fail(b, it->directive,
				    strlen(it->directive), "its field is "
				    "another directive's too");
	}
	return true;
}

struct sdc_log_apache *
sdc_log_apache_compile(const char *format, bool clf, char *err,
    size_t errlen)
{
	struct builder b = { .clf = clf, .err = err, .errlen = errlen };
	struct item *it;
	const char *p = format;

	b.a = sdc_xcalloc(1, sizeof(*b.a));
	b.a->text = sdc_xmalloc(strlen(format) * 2 + 1);
	b.out = b.a->text;
	it = new_item(&b);
	while (*p != '\0') {
		if (p[0] == '%' && p[1] == '%') {
			*b.out++ = '%';
			p += 2;
		} else if (p[0] == '%') {
			it->litlen = (size_t)(b.out - it->lit);
			p++;
			if (!directive(&b, it, &p))
				goto bad;
			it = new_item(&b);
		} else
			*b.out++ = *p++;
	}
	it->litlen = (size_t)(b.out - it->lit);
	if (b.a->n == 1)
		it = NULL;	/* no directive at all */
	if (it == NULL) {
		snprintf(err, errlen, "'%s': no directive", format);
		goto bad;
	}
	if (finish(&b))
		return b.a;
bad:
	sdc_log_apache_free(b.a);
	return NULL;
}

/* Matching. */
struct scan {
	struct sdc_record	*rec;
	const char		*p;
	size_t			 n;
	size_t			 pos;
	struct sdc_log_why	*why;
};

static bool
no_match(struct scan *s, const struct item *it, size_t at, const char *what)
{
	if (it != NULL && it->name != NULL)
		snprintf(s->why->text, sizeof(s->why->text),
		    "%s at column %zu: %s", it->directive, at + 1, what);
	else
		snprintf(s->why->text, sizeof(s->why->text),
		    "column %zu: %s", at + 1, what);
	return false;
}

/* The end of a quoted value: the first quote not escaped. */
static size_t
quoted_end(const struct scan *s, bool *escapes)
{
	const char *p = s->p + s->pos, *end = s->p + s->n, *q;

	*escapes = false;
	while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
		size_t k = 0;

		while (q - k > s->p + s->pos && q[-1 - (ptrdiff_t)k] == '\\')
			k++;
		if (k % 2 == 0) {
			*escapes = memchr(s->p + s->pos, '\\',
			    (size_t)(q - (s->p + s->pos))) != NULL;
			return (size_t)(q - s->p);
		}
		*escapes = true;
		p = q + 1;
	}
	return SIZE_MAX;
}

/* \" and \\ undone, into the record's arena: the new length. */
static size_t
unescape(struct sdc_record *rec, const char **p, size_t n)
{
	char *dst = sdc_arena_alloc(&rec->arena, n ? n : 1);
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		if ((*p)[i] == '\\' && i + 1 < n &&
		    ((*p)[i + 1] == '"' || (*p)[i + 1] == '\\'))
			i++;
		dst[k++] = (*p)[i];
	}
	*p = dst;
	return k;
}

static struct sdc_field *
slot(struct scan *s, const char *name, size_t len)
{
	return sdc_map_append(&s->rec->arena, &s->rec->root, name, len);
}

static void
set_string(struct scan *s, const char *name, size_t len, const char *p,
    size_t n)
{
	struct sdc_field *f = slot(s, name, len);

	if (n == 1 && p[0] == '-')
		sdc_field_null(f, SDC_STRING);
	else
		sdc_field_borrow(f, SDC_STRING, p, n);
}

/*
 * "GET /x HTTP/1.1" as verb, request and httpversion; anything else
 * whole as rawrequest, as the grok patterns of StreamSets have it.
 */
static void
set_request(struct scan *s, const char *p, size_t n)
{
	const char *sp1 = memchr(p, ' ', n), *sp2 = NULL;

	if (sp1 != NULL)
		sp2 = memchr(sp1 + 1, ' ', (size_t)(p + n - sp1 - 1));
	if (sp1 == NULL || sp1 == p || sp1 + 1 == p + n || sp1[1] == ' ' ||
	    (sp2 != NULL && (memchr(sp2 + 1, ' ', (size_t)(p + n - sp2 - 1)) ||
	    p + n - sp2 < 7 || memcmp(sp2 + 1, "HTTP/", 5) != 0))) {
		set_string(s, "rawrequest", 10, p, n);
		return;
	}
	sdc_field_borrow(slot(s, "verb", 4), SDC_STRING, p,
	    (size_t)(sp1 - p));
	sdc_field_borrow(slot(s, "request", 7), SDC_STRING, sp1 + 1,
	    (size_t)((sp2 ? sp2 : p + n) - sp1 - 1));
	if (sp2 != NULL)
		sdc_field_borrow(slot(s, "httpversion", 11), SDC_STRING,
		    sp2 + 6, (size_t)(p + n - sp2 - 6));
}

static bool
set_value(struct scan *s, const struct item *it, size_t start, size_t end,
    bool escapes)
{
	const char *p = s->p + start;
	size_t n = end - start;
	struct sdc_field *f;
	int64_t v;

	if (escapes)
		n = unescape(s->rec, &p, n);
	if (it->kind == V_REQUEST) {
		set_request(s, p, n);
		return true;
	}
	f = slot(s, it->name, it->namelen);
	if (n == 1 && p[0] == '-') {
		sdc_field_null(f, it->kind == V_LONG ? SDC_LONG :
		    it->kind == V_EPOCH ? SDC_DATETIME : SDC_STRING);
		return true;
	}
	switch (it->kind) {
	case V_LONG:
		if (!sdc_log_number(p, n, &v))
			return no_match(s, it, start, "not a number");
		sdc_field_int(f, SDC_LONG, v);
		return true;
	case V_EPOCH:
		if (!sdc_log_number(p, n, &v) || v > INT64_MAX / it->unit)
			return no_match(s, it, start, "not a number");
		sdc_field_int(f, SDC_DATETIME, v * it->unit);
		return true;
	default:
		sdc_field_borrow(f, SDC_STRING, p, n);
		return true;
	}
}

static bool
clf_time(struct scan *s, const struct item *it)
{
	size_t at = s->pos;
	const char *close;
	struct sdc_field *f;

	if (at >= s->n || s->p[at] != '[')
		return no_match(s, it, at, "no '['");
	close = memchr(s->p + at, ']', s->n - at);
	if (close == NULL)
		return no_match(s, it, at, "no ']'");
	f = slot(s, it->name, it->namelen);
	s->pos = (size_t)(close - s->p) + 1;
	if (close - s->p == (ptrdiff_t)at + 2 && s->p[at + 1] == '-') {
		sdc_field_null(f, SDC_ZONED_DATETIME);
		return true;
	}
	sdc_field_begin(f, SDC_ZONED_DATETIME);
	f->v.z.zone.ptr = "";
	f->v.z.zone.len = 0;
	if (!sdc_log_clf_time(s->p + at + 1, (size_t)(close - s->p) - at - 1,
	    &f->v.z.us, &f->v.z.offset_s))
		return no_match(s, it, at, "not a time as "
		    "[10/Oct/2000:13:55:36 -0700]");
	return true;
}

static bool
field(struct scan *s, const struct item *it, const struct item *next)
{
	size_t start = s->pos, end;
	bool escapes = false;

	if (it->kind == V_CLF_TIME)
		return clf_time(s, it);
	if (it->quoted) {
		if ((end = quoted_end(s, &escapes)) == SIZE_MAX)
			return no_match(s, it, start, "no closing quote");
	} else if (next->litlen == 0)
		end = s->n;
	else {
		const char *stop = memchr(s->p + start, next->lit[0],
		    s->n - start);

		end = stop ? (size_t)(stop - s->p) : s->n;
	}
	s->pos = end;
	return set_value(s, it, start, end, escapes);
}

/* The literal after prev (NULL at the start). */
static bool
literal(struct scan *s, const struct item *it, const struct item *prev)
{
	if (s->n - s->pos < it->litlen ||
	    memcmp(s->p + s->pos, it->lit, it->litlen) != 0) {
		char what[64];

		snprintf(what, sizeof(what), "expected '%.*s'%s%s",
		    (int)(it->litlen > 16 ? 16 : it->litlen), it->lit,
		    prev ? " after " : "", prev ? prev->directive : "");
		return no_match(s, NULL, s->pos, what);
	}
	s->pos += it->litlen;
	return true;
}

bool
sdc_log_apache_match(const struct sdc_log_apache *a, struct sdc_record *rec,
    const char *p, size_t n, struct sdc_log_why *why)
{
	struct scan s = { .rec = rec, .p = p, .n = n, .why = why };

	sdc_container_reserve(&rec->arena, &rec->root, (uint32_t)a->n + 2);
	for (size_t i = 0; i < a->n; i++) {
		const struct item *it = &a->items[i];

		if (!literal(&s, it, i > 0 ? it - 1 : NULL))
			return false;
		if (it->name != NULL && !field(&s, it, it + 1))
			return false;
	}
	if (s.pos != n)
		return no_match(&s, NULL, s.pos, "text after the last field");
	return true;
}
