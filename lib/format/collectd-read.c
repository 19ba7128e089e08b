/*
 * Reading collectd's binary protocol: a stream of parts (type, length,
 * body), each setting one thing of the value list being built (host,
 * time, plugin, ...), a values part making a record of it and a
 * message part a notification.  A packet has no length of its own, so
 * concatenated packets read as one stream, which is what collectd's
 * senders make possible: each packet repeats what it needs.  A signed
 * packet runs from its signature part to the next signature or
 * encryption part, or to the end of the input (a datagram).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "collectd.h"
#include "delimited.h"
#include "utf8.h"
#include "window.h"
#include "xalloc.h"
#include "banned.h"

enum {
	PART_HOST = 0x0000,
	PART_TIME = 0x0001,
	PART_PLUGIN = 0x0002,
	PART_PLUGIN_INSTANCE = 0x0003,
	PART_TYPE = 0x0004,
	PART_TYPE_INSTANCE = 0x0005,
	PART_VALUES = 0x0006,
	PART_INTERVAL = 0x0007,
	PART_TIME_HR = 0x0008,
	PART_INTERVAL_HR = 0x0009,
	PART_MESSAGE = 0x0100,
	PART_SEVERITY = 0x0101,
	PART_SIGNATURE = 0x0200,
	PART_ENCRYPTION = 0x0210
};

#define PACKET_MAX	65535u
#define STR_MAX		1024u
#define SIG_HEAD	36u	/* type, length, HMAC-SHA256 */

struct cd_str {
	char	 s[STR_MAX];
	size_t	 len;
	bool	 set, bad;
};

struct cd_num {
	uint64_t v;
	uint16_t part;	/* the part that set it, or 0 */
	bool	 set, bad;
};

struct cd_reader {
	struct sdc_run		*run;
	struct sdc_input	*in;
	const struct sdc_cd_opts *o;
	struct sdc_window	 w;
	struct sdc_record	 rec;
	struct sdc_idbuf	 id;
	uint64_t		 n;	/* records and errors so far */
	struct cd_str		 host, plugin, plugin_instance, type,
				 type_instance, message;
	struct cd_num		 time, interval, severity;
	uint8_t			*plain;	/* decrypted parts */
	char			 names[64];
};

static void
reject(struct cd_reader *r, const uint8_t *raw, size_t n, uint64_t at,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
reject(struct cd_reader *r, const uint8_t *raw, size_t n, uint64_t at,
    const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	r->run->n.in++;
	sdc_run_reject_raw(r->run, sdc_idbuf_make(&r->id, ++r->n), raw, n,
	    "COLLECTD_PARSE", "%s: byte %llu: %s", r->in->name,
	    (unsigned long long)at, why);
}

static const char *
part_name(uint16_t type)
{
	switch (type) {
	case PART_HOST: return "host";
	case PART_TIME: return "time";
	case PART_PLUGIN: return "plugin";
	case PART_PLUGIN_INSTANCE: return "plugin_instance";
	case PART_TYPE: return "type";
	case PART_TYPE_INSTANCE: return "type_instance";
	case PART_VALUES: return "values";
	case PART_INTERVAL: return "interval";
	case PART_TIME_HR: return "time_hires";
	case PART_INTERVAL_HR: return "interval_hires";
	case PART_MESSAGE: return "message";
	case PART_SEVERITY: return "severity";
	default: return "unknown";
	}
}

/* A string part: its bytes and a NUL. */
static void
string_part(struct cd_reader *r, struct cd_str *s, const uint8_t *p,
    size_t n, uint64_t at)
{
	const char *name = part_name(sdc_be16(p));
	size_t len = n - 5;

	s->bad = true;
	if (n < 5 || p[n - 1] != '\0')
		reject(r, p, n, at, "%s part does not end in a NUL", name);
	else if (memchr(p + 4, '\0', len) != NULL)
		reject(r, p, n, at, "%s part holds a NUL", name);
	else if (len >= STR_MAX)
		reject(r, p, n, at, "%s of %zu bytes, more than %u", name,
		    len, STR_MAX - 1);
	else if (!sdc_utf8_valid(p + 4, len))
		reject(r, p, n, at, "%s is not UTF-8", name);
	else {
		memcpy(s->s, p + 4, len);
		s->len = len;
		s->set = true;
		s->bad = false;
	}
}

static void
number_part(struct cd_reader *r, struct cd_num *v, const uint8_t *p,
    size_t n, uint64_t at)
{
	uint16_t type = sdc_be16(p);

	if (n != 12) {
		reject(r, p, n, at, "%s part of %zu bytes, not 12",
		    part_name(type), n);
		v->bad = true;
		return;
	}
	v->v = sdc_be64(p + 4);
	v->part = type;
	v->set = true;
	v->bad = false;
}

/*
 * The first of host, plugin and type that a value list lacks, or NULL;
 * a notification needs only its host.
 */
static const char *
lacking(const struct cd_reader *r, bool notification)
{
	const struct cd_str *need[] = { &r->host, &r->plugin, &r->type };
	static const char *const names[] = { "host", "plugin", "type" };

	for (size_t i = 0; i < (notification ? 1 : 3); i++)
		if (!need[i]->set || need[i]->len == 0)
			return names[i];
	return NULL;
}

/* The first part that was malformed since it was last set, or NULL. */
static const char *
spoilt(const struct cd_reader *r)
{
	if (r->host.bad)
		return "host";
	if (r->plugin.bad)
		return "plugin";
	if (r->plugin_instance.bad)
		return "plugin_instance";
	if (r->type.bad)
		return "type";
	if (r->type_instance.bad)
		return "type_instance";
	if (r->time.bad)
		return "time";
	return r->interval.bad ? "interval" : NULL;
}

/* Empty instances are left out, as collectd's identifiers leave them. */
static void
put_str(struct cd_reader *r, const char *key, const struct cd_str *s)
{
	struct sdc_record *rec = &r->rec;

	if (!s->set || s->len == 0)
		return;
	sdc_field_copy_bytes(&rec->arena, sdc_map_append(&rec->arena,
	    &rec->root, key, strlen(key)), SDC_STRING, s->s, s->len);
}

/* 2^-30 seconds to milliseconds, rounded down. */
static uint64_t
hires_ms(uint64_t v)
{
	return (v >> 30) * 1000 + (((v & 0x3fffffff) * 1000) >> 30);
}

static void
put_time(struct cd_reader *r, const struct cd_num *t, const char *name,
    const char *hires)
{
	struct sdc_record *rec = &r->rec;
	bool hr = t->part == PART_TIME_HR || t->part == PART_INTERVAL_HR;
	uint64_t v = t->v;

	if (!t->set)
		return;
	if (r->o->convert_time)
		v = hr ? hires_ms(v) : v * 1000;
	else if (hr)
		name = hires;
	sdc_field_int(sdc_map_append(&rec->arena, &rec->root, name,
	    strlen(name)), SDC_LONG, (int64_t)v);
}

static void
put_common(struct cd_reader *r)
{
	put_str(r, "host", &r->host);
	put_time(r, &r->time, "time", "time_hires");
	if (!r->o->exclude_interval)
		put_time(r, &r->interval, "interval", "interval_hires");
	put_str(r, "plugin", &r->plugin);
	put_str(r, "plugin_instance", &r->plugin_instance);
	put_str(r, "type", &r->type);
	put_str(r, "type_instance", &r->type_instance);
}

static const char *const kinds[] = { "counter", "gauge", "derive",
    "absolute" };

/* An unsigned 64-bit value: LONG when it fits, else its DECIMAL text. */
static void
put_unsigned(struct sdc_record *rec, struct sdc_field *f, uint64_t v)
{
	char text[24];
	int len;

	if (v <= INT64_MAX) {
		sdc_field_int(f, SDC_LONG, (int64_t)v);
		return;
	}
	len = snprintf(text, sizeof text, "%llu", (unsigned long long)v);
	sdc_field_copy_bytes(&rec->arena, f, SDC_DECIMAL, text, (size_t)len);
}

static void
put_value(struct sdc_record *rec, struct sdc_field *f, uint8_t kind,
    const uint8_t *p)
{
	uint64_t le = 0;
	double d;

	switch (kind) {
	case 1:		/* gauge: a little-endian double */
		for (int i = 7; i >= 0; i--)
			le = le << 8 | p[i];
		memcpy(&d, &le, sizeof d);
		sdc_field_double(f, d);
		break;
	case 2:		/* derive: signed */
		sdc_field_int(f, SDC_LONG, (int64_t)sdc_be64(p));
		break;
	default:	/* counter and absolute: unsigned */
		put_unsigned(rec, f, sdc_be64(p));
		break;
	}
}

/* The key of value i of n: its data source, or its kind (and index). */
static struct sdc_str
value_key(struct cd_reader *r, const struct sdc_cd_type *t, size_t i,
    size_t n, uint8_t kind)
{
	struct sdc_str k;
	int len;

	if (t != NULL) {
		k.ptr = t->ds[i];
		k.len = strlen(t->ds[i]);
		return k;
	}
	if (n == 1) {
		k.ptr = kinds[kind];
		k.len = strlen(kinds[kind]);
		return k;
	}
	len = snprintf(r->names, sizeof r->names, "%s_%zu", kinds[kind], i);
	k.ptr = sdc_arena_memdup(&r->rec.arena, r->names, (size_t)len);
	k.len = (size_t)len;
	return k;
}

static bool
refused(struct cd_reader *r, const uint8_t *p, size_t n, uint64_t at,
    enum sdc_cd_level trust)
{
	static const char *const levels[] = { "none", "sign", "encrypt" };
	const char *what = lacking(r, sdc_be16(p) == PART_MESSAGE);
	const char *bad = spoilt(r);

	if (trust < r->o->level)
		reject(r, p, n, at, "%s part neither %s, refused by "
		    "--collectd-security-level %s", part_name(sdc_be16(p)),
		    r->o->level == SDC_CD_SIGN ? "signed nor encrypted" :
		    "encrypted", levels[r->o->level]);
	else if (bad != NULL)
		reject(r, p, n, at, "%s part after a malformed %s part",
		    part_name(sdc_be16(p)), bad);
	else if (what != NULL)
		reject(r, p, n, at, "%s part with no %s part before it",
		    part_name(sdc_be16(p)), what);
	else
		return false;
	return true;
}

/* The next record, empty: its id made before its length is read. */
static void
new_record(struct cd_reader *r)
{
	const char *id = sdc_idbuf_make(&r->id, ++r->n);

	sdc_run_new_record(r->run, &r->rec, id, r->id.len);
	sdc_field_container(&r->rec.root, SDC_MAP);
}

/* A values part: count, the kind of each value, then the values. */
static void
values_part(struct cd_reader *r, const uint8_t *p, size_t n, uint64_t at,
    enum sdc_cd_level trust)
{
	struct sdc_record *rec = &r->rec;
	const struct sdc_cd_type *t;
	size_t count = n >= 6 ? sdc_be16(p + 4) : 0;

	if (n < 6 || count == 0 || n != 6 + 9 * count) {
		reject(r, p, n, at, "values part of %zu bytes does not hold "
		    "its %zu values (6 + 9 bytes each)", n, count);
		return;
	}
	if (refused(r, p, n, at, trust))
		return;
	for (size_t i = 0; i < count; i++)
		if (p[6 + i] > 3) {
			reject(r, p, n, at, "value %zu is of unknown type %u",
			    i, p[6 + i]);
			return;
		}
	r->type.s[r->type.len] = '\0';
	t = sdc_cd_types_find(&r->o->types, r->type.s);
	if (t != NULL && t->nds != count) {
		reject(r, p, n, at, "type '%s' has %zu data sources in "
		    "types.db, the values part %zu values", r->type.s, t->nds,
		    count);
		return;
	}
	new_record(r);
	put_common(r);
	for (size_t i = 0; i < count; i++) {
		struct sdc_str k = value_key(r, t, i, count, p[6 + i]);

		put_value(rec, sdc_map_append(&rec->arena, &rec->root, k.ptr,
		    k.len), p[6 + i], p + 6 + count + 8 * i);
	}
	r->run->n.in++;
	sdc_run_emit(r->run, rec);
}

/* A message part ends a notification: a record of it. */
static void
message_part(struct cd_reader *r, const uint8_t *p, size_t n, uint64_t at,
    enum sdc_cd_level trust)
{
	struct sdc_record *rec = &r->rec;

	string_part(r, &r->message, p, n, at);
	if (r->message.bad || refused(r, p, n, at, trust))
		return;
	new_record(r);
	put_common(r);
	if (r->severity.set)
		sdc_field_int(sdc_map_append(&rec->arena, &rec->root,
		    "severity", 8), SDC_LONG, (int64_t)r->severity.v);
	put_str(r, "message", &r->message);
	r->run->n.in++;
	sdc_run_emit(r->run, rec);
}

static void parts(struct cd_reader *r, const uint8_t *p, size_t n,
    uint64_t at, enum sdc_cd_level trust);

/* user length, user, IV, then SHA-1 and parts encrypted. */
static void
encryption_part(struct cd_reader *r, const uint8_t *p, size_t n,
    uint64_t at, enum sdc_cd_level trust)
{
	size_t ulen = n >= 6 ? sdc_be16(p + 4) : 0, head = 6 + ulen + 16;
	const char *pw;

	if (trust == SDC_CD_ENCRYPT) {
		reject(r, p, n, at, "encryption part inside an encrypted "
		    "part");
		return;
	}
	if (n < 6 || n < head + 20) {
		reject(r, p, n, at, "encryption part of %zu bytes, too short "
		    "for its user name, IV and SHA-1", n);
		return;
	}
	if (r->o->auth.n == 0) {
		reject(r, p, n, at, "encrypted part, and no "
		    "--collectd-auth-file to decrypt it");
		return;
	}
	if ((pw = sdc_cd_auth_password(&r->o->auth, (const char *)p + 6,
	    ulen)) == NULL) {
		reject(r, p, n, at, "encrypted for user '%.*s', who is not "
		    "in the auth file", (int)ulen, p + 6);
		return;
	}
	if (r->plain == NULL)
		r->plain = sdc_xmalloc(PACKET_MAX);
	if (!sdc_cd_decrypt(pw, p + 6 + ulen, p + head, n - head,
	    r->plain)) {
		reject(r, p, n, at, "encrypted part does not decrypt with the "
		    "password of '%.*s' (SHA-1 mismatch)", (int)ulen, p + 6);
		return;
	}
	parts(r, r->plain + 20, n - head - 20, at + head + 20,
	    SDC_CD_ENCRYPT);
}

static void
part(struct cd_reader *r, const uint8_t *p, size_t n, uint64_t at,
    enum sdc_cd_level trust)
{
	switch (sdc_be16(p)) {
	case PART_HOST: string_part(r, &r->host, p, n, at); break;
	case PART_PLUGIN: string_part(r, &r->plugin, p, n, at); break;
	case PART_PLUGIN_INSTANCE:
		string_part(r, &r->plugin_instance, p, n, at);
		break;
	case PART_TYPE: string_part(r, &r->type, p, n, at); break;
	case PART_TYPE_INSTANCE:
		string_part(r, &r->type_instance, p, n, at);
		break;
	case PART_TIME:
	case PART_TIME_HR:
		number_part(r, &r->time, p, n, at);
		break;
	case PART_INTERVAL:
	case PART_INTERVAL_HR:
		number_part(r, &r->interval, p, n, at);
		break;
	case PART_SEVERITY: number_part(r, &r->severity, p, n, at); break;
	case PART_VALUES: values_part(r, p, n, at, trust); break;
	case PART_MESSAGE: message_part(r, p, n, at, trust); break;
	case PART_SIGNATURE:
		reject(r, p, n, at, "signature part inside a signed or "
		    "encrypted packet");
		break;
	case PART_ENCRYPTION: encryption_part(r, p, n, at, trust); break;
	default: break;		/* skipped, as collectd does */
	}
}

/* The parts of p[0..n): they must fill it exactly. */
static void
parts(struct cd_reader *r, const uint8_t *p, size_t n, uint64_t at,
    enum sdc_cd_level trust)
{
	size_t i = 0, len;

	while (i < n) {
		if (n - i < 4) {
			reject(r, p + i, n - i, at + i, "part header cut "
			    "short");
			return;
		}
		len = sdc_be16(p + i + 2);
		if (len < 4 || len > n - i) {
			reject(r, p + i, n - i, at + i, "part length %zu "
			    "where %zu bytes are left", len, n - i);
			return;
		}
		part(r, p + i, len, at + i, trust);
		i += len;
	}
}

/* Where the packet signed at p ends: at the next signature or encryption. */
static size_t
signed_end(const uint8_t *p, size_t have, size_t start)
{
	size_t i = start;

	if (have > PACKET_MAX)
		have = PACKET_MAX;
	while (i + 4 <= have) {
		uint16_t type = sdc_be16(p + i), len = sdc_be16(p + i + 2);

		if (type == PART_SIGNATURE || type == PART_ENCRYPTION)
			return i;
		if (len < 4 || len > have - i)
			return have;
		i += len;
	}
	return have;
}

/* A signed packet: false when what comes after cannot be read. */
static size_t
signed_packet(struct cd_reader *r, const uint8_t *p, size_t have,
    uint64_t at)
{
	size_t len = sdc_be16(p + 2), end;
	const char *pw;

	if (len < SIG_HEAD) {
		reject(r, p, len, at, "signature part of %zu bytes, too short "
		    "for its HMAC", len);
		return len;
	}
	end = signed_end(p, have, len);
	if (r->o->auth.n == 0) {	/* taken unchecked, as collectd does */
		parts(r, p + len, end - len, at + len, SDC_CD_NONE);
		return end;
	}
	pw = sdc_cd_auth_password(&r->o->auth, (const char *)p + SIG_HEAD,
	    len - SIG_HEAD);
	if (pw == NULL)
		reject(r, p, end, at, "signed by user '%.*s', who is not in "
		    "the auth file", (int)(len - SIG_HEAD), p + SIG_HEAD);
	else if (!sdc_cd_verify(pw, p + SIG_HEAD, end - SIG_HEAD, p + 4))
		reject(r, p, end, at, "signature of user '%.*s' does not "
		    "match the packet", (int)(len - SIG_HEAD), p + SIG_HEAD);
	else
		parts(r, p + len, end - len, at + len, SDC_CD_SIGN);
	return end;
}

/* One part or signed packet from the window: false at the end. */
static bool
next(struct cd_reader *r)
{
	uint64_t at = sdc_window_offset(&r->w);
	const uint8_t *p;
	size_t have, len;

	p = sdc_window_peek(&r->w, 4, &have);
	if (have == 0)
		return false;
	if (have < 4) {
		reject(r, p, have, at, "part header cut short by the end of "
		    "the input");
		return false;
	}
	len = sdc_be16(p + 2);
	if (len < 4) {
		reject(r, p, 4, at, "part length %zu, less than its header",
		    len);
		return false;
	}
	p = sdc_window_peek(&r->w, sdc_be16(p) == PART_SIGNATURE ?
	    PACKET_MAX : len, &have);
	if (have < len) {
		reject(r, p, have, at, "part of %zu bytes cut short by the "
		    "end of the input", len);
		return false;
	}
	if (sdc_be16(p) == PART_SIGNATURE)
		len = signed_packet(r, p, have, at);
	else
		part(r, p, len, at, SDC_CD_NONE);
	sdc_window_skip(&r->w, len);
	return true;
}

void
sdc_collectd_read(struct sdc_run *run, struct sdc_input *in,
    const void *opts)
{
	const struct sdc_cd_opts *o = opts;
	struct cd_reader *r;

	if (o->level != SDC_CD_NONE && o->auth.n == 0)
		sdc_usage_error("--collectd-security-level %s wants "
		    "--collectd-auth-file", o->level == SDC_CD_SIGN ? "sign" :
		    "encrypt");
	r = sdc_xcalloc(1, sizeof *r);
	r->run = run;
	r->in = in;
	r->o = o;
	sdc_window_init(&r->w, run, in, PACKET_MAX);
	sdc_record_init(&r->rec);
	sdc_idbuf_init(&r->id, in->name);
	while (next(r))
		continue;
	sdc_idbuf_release(&r->id);
	sdc_record_release(&r->rec);
	sdc_window_release(&r->w);
	free(r->plain);
	free(r);
}
