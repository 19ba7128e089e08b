/*
 * The collectd format on packets built here from the protocol's
 * description (collectd's "Binary protocol" page): every part, the four
 * kinds of value, types.db names, notifications, time conversion,
 * signed and encrypted packets (made with OpenSSL), and each kind of
 * malformed part becoming an error record with its byte offset.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "collectd.h"
#include "format.h"
#include "run.h"
#include "tap.h"

/* A packet being built. */
struct pkt {
	uint8_t	b[4096];
	size_t	n;
};

static void
put16(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)(v >> 8);
	p->b[p->n++] = (uint8_t)v;
}

static void
put64(struct pkt *p, uint64_t v)
{
	for (int i = 56; i >= 0; i -= 8)
		p->b[p->n++] = (uint8_t)(v >> i);
}

static void
str_part(struct pkt *p, unsigned type, const char *s)
{
	size_t len = strlen(s);

	put16(p, type);
	put16(p, (unsigned)(4 + len + 1));
	memcpy(p->b + p->n, s, len + 1);
	p->n += len + 1;
}

static void
num_part(struct pkt *p, unsigned type, uint64_t v)
{
	put16(p, type);
	put16(p, 12);
	put64(p, v);
}

/* Values of the kinds given, each as its 8 bytes. */
static void
values_part(struct pkt *p, size_t n, const uint8_t *kinds,
    const uint64_t *bits)
{
	put16(p, 6);
	put16(p, (unsigned)(6 + 9 * n));
	put16(p, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		p->b[p->n++] = kinds[i];
	for (size_t i = 0; i < n; i++) {
		if (kinds[i] == 1)	/* gauge: little-endian */
			for (int k = 0; k < 64; k += 8)
				p->b[p->n++] = (uint8_t)(bits[i] >> k);
		else
			put64(p, bits[i]);
	}
}

static uint64_t
dbits(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return u;
}

static void
identity(struct pkt *p, const char *plugin, const char *pi,
    const char *type, const char *ti)
{
	str_part(p, 0x0000, "sensor-7");
	num_part(p, 0x0008, ((uint64_t)1700000000 << 30) | (1u << 29));
	num_part(p, 0x0009, (uint64_t)10 << 30);
	str_part(p, 0x0002, plugin);
	str_part(p, 0x0003, pi);
	str_part(p, 0x0004, type);
	str_part(p, 0x0005, ti);
}

/* What the reader made. */
#define MAX_SEEN 16
static struct {
	int		 n;
	enum sdc_kind	 kind[MAX_SEEN];
	char		 msg[MAX_SEEN][512];
	struct sdc_field root[MAX_SEEN];
	struct sdc_arena arena;
} seen;

static void
on_record(struct sdc_writer *w, struct sdc_run *run, struct sdc_record *r)
{
	int i = seen.n++;

	(void)w, (void)run;
	if (i >= MAX_SEEN)
		return;
	seen.kind[i] = r->kind;
	snprintf(seen.msg[i], sizeof seen.msg[i], "%.*s",
	    (int)r->h.error.message.len, r->h.error.message.ptr);
	sdc_field_clone(&seen.arena, &seen.root[i], &r->root);
}

static void
read_with(struct sdc_cd_opts *o, const void *p, size_t n)
{
	static struct sdc_writer w = { .record = on_record,
		.error = on_record };
	struct sdc_options opt;
	struct sdc_input in;
	struct sdc_run run;

	sdc_arena_release(&seen.arena);
	memset(&seen, 0, sizeof seen);
	sdc_arena_init(&seen.arena);
	sdc_input_memory(&in, "pkt", p, n);
	sdc_options_init(&opt);
	opt.progress = 0;
	sdc_run_start(&run, "test", &opt, &w);
	sdc_collectd_read(&run, &in, o);
	sdc_run_finish(&run);
}

static const struct sdc_field *
get(int i, const char *key)
{
	return sdc_map_get(&seen.root[i], key, strlen(key));
}

static bool
is_long(int i, const char *key, int64_t v)
{
	const struct sdc_field *f = get(i, key);

	return f != NULL && f->type == SDC_LONG && f->v.i == v;
}

static bool
is_text(int i, const char *key, enum sdc_type t, const char *s)
{
	const struct sdc_field *f = get(i, key);

	return f != NULL && f->type == t && f->v.s.len == strlen(s) &&
	    memcmp(f->v.s.ptr, s, f->v.s.len) == 0;
}

static bool
is_double(int i, const char *key, double d)
{
	const struct sdc_field *f = get(i, key);

	return f != NULL && f->type == SDC_DOUBLE && f->v.d == d;
}

static bool
said(int i, const char *what)
{
	bool yes = i < seen.n && seen.kind[i] == SDC_KIND_ERROR &&
	    strstr(seen.msg[i], what) != NULL;

	if (!yes)
		printf("#   record %d of %d: \"%s\"\n", i, seen.n,
		    i < seen.n ? seen.msg[i] : "");
	return yes;
}

static void
test_value_lists(struct sdc_cd_opts *o)
{
	static const uint8_t k1[] = { 2 }, k3[] = { 1, 1, 1 },
	    k4[] = { 0, 1, 2, 3 };
	const uint64_t v1[] = { 12345 }, v3[] = { dbits(0.5), dbits(1.25),
	    dbits(-2) }, v4[] = { UINT64_MAX, dbits(3.5), (uint64_t)-7, 9 };
	struct pkt p = { .n = 0 };

	identity(&p, "cpu", "0", "cpu", "idle");
	values_part(&p, 1, k1, v1);
	str_part(&p, 0x0003, "");
	str_part(&p, 0x0004, "load");
	str_part(&p, 0x0005, "");
	values_part(&p, 3, k3, v3);
	str_part(&p, 0x0004, "mixed");
	values_part(&p, 4, k4, v4);
	read_with(o, p.b, p.n);
	is_int(seen.n, 3, "three value lists, three records");
	ok(is_text(0, "host", SDC_STRING, "sensor-7") &&
	    is_text(0, "plugin", SDC_STRING, "cpu") &&
	    is_text(0, "plugin_instance", SDC_STRING, "0") &&
	    is_text(0, "type", SDC_STRING, "cpu") &&
	    is_text(0, "type_instance", SDC_STRING, "idle") &&
	    is_long(0, "time_hires", ((int64_t)1700000000 << 30) |
	    (1 << 29)) && is_long(0, "interval_hires", (int64_t)10 << 30) &&
	    is_long(0, "derive", 12345) && seen.root[0].count == 8,
	    "host, plugin, instances, type, time_hires, interval_hires and "
	    "a derive named by its kind");
	ok(get(1, "plugin_instance") == NULL && get(1, "type_instance") ==
	    NULL && is_text(1, "plugin", SDC_STRING, "cpu") &&
	    is_double(1, "gauge_0", 0.5) && is_double(1, "gauge_1", 1.25) &&
	    is_double(1, "gauge_2", -2), "empty instances left out, parts "
	    "carried over, gauges (little-endian) named by kind and index");
	ok(is_text(2, "counter_0", SDC_DECIMAL, "18446744073709551615") &&
	    is_double(2, "gauge_1", 3.5) && is_long(2, "derive_2", -7) &&
	    is_long(2, "absolute_3", 9), "a counter past LONG as DECIMAL, a "
	    "negative derive, an absolute");
}

static char *
temp_file(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof path, "/tmp/test-collectd-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	return path;
}

static void
test_types_db(struct sdc_cd_opts *o)
{
	static const uint8_t k3[] = { 1, 1, 1 }, k2[] = { 2, 2 };
	const uint64_t v3[] = { dbits(1), dbits(2), dbits(3) }, v2[] = { 5,
	    6 };
	char err[256], *path = temp_file("# comment\n\n"
	    "load\tshortterm:GAUGE:0:5000, midterm:GAUGE:0:5000, "
	    "longterm:GAUGE:0:5000\r\n"
	    "if_octets rx:DERIVE:0:U, tx:DERIVE:0:U\n");
	struct pkt p = { .n = 0 };

	ok(sdc_cd_types_load(&o->types, path, err, sizeof err) &&
	    o->types.n == 2, "types.db: two types");
	unlink(path);
	identity(&p, "load", "", "load", "");
	values_part(&p, 3, k3, v3);
	str_part(&p, 0x0004, "if_octets");
	values_part(&p, 2, k2, v2);
	values_part(&p, 3, k3, v3);
	read_with(o, p.b, p.n);
	ok(seen.n == 3 && is_double(0, "shortterm", 1) &&
	    is_double(0, "midterm", 2) && is_double(0, "longterm", 3) &&
	    is_long(1, "rx", 5) && is_long(1, "tx", 6),
	    "values named by their data sources");
	ok(said(2, "byte 136: type 'if_octets' has 2 data sources in "
	    "types.db, the values part 3 values"), "a values part that "
	    "types.db does not fit: an error record");
	path = temp_file("load shortterm\n");
	ok(!sdc_cd_types_load(&o->types, path, err, sizeof err) &&
	    strstr(err, ":1: not a type") != NULL, "a bad types.db line is "
	    "refused with its line number");
	unlink(path);
	sdc_cd_types_release(&o->types);
}

static void
test_times_and_notifications(struct sdc_cd_opts *o)
{
	static const uint8_t k1[] = { 1 };
	const uint64_t v1[] = { dbits(20.5) };
	struct pkt p = { .n = 0 };

	identity(&p, "temp", "", "temperature", "");
	values_part(&p, 1, k1, v1);
	num_part(&p, 0x0001, 1700000001);
	num_part(&p, 0x0101, 2);
	str_part(&p, 0x0100, "too warm");
	o->convert_time = true;
	read_with(o, p.b, p.n);
	ok(seen.n == 2 && is_long(0, "time", 1700000000500) &&
	    is_long(0, "interval", 10000) && get(0, "time_hires") == NULL,
	    "--collectd-convert-time: milliseconds in time and interval");
	ok(is_long(1, "time", 1700000001000) && is_long(1, "severity", 2) &&
	    is_text(1, "message", SDC_STRING, "too warm") &&
	    is_text(1, "plugin", SDC_STRING, "temp"),
	    "a notification: time in seconds made milliseconds, severity, "
	    "message");
	o->convert_time = false;
	o->exclude_interval = true;
	read_with(o, p.b, p.n);
	ok(seen.n == 2 && get(0, "interval_hires") == NULL &&
	    is_long(1, "time", 1700000001), "--collectd-exclude-interval; "
	    "time parts in seconds");
	o->exclude_interval = false;
	p.n = 0;
	str_part(&p, 0x0000, "sensor-9");
	num_part(&p, 0x0001, 1700000002);
	num_part(&p, 0x0101, 4);
	str_part(&p, 0x0100, "restarted");
	read_with(o, p.b, p.n);
	ok(seen.n == 1 && seen.kind[0] == SDC_KIND_DATA &&
	    is_text(0, "host", SDC_STRING, "sensor-9") &&
	    is_text(0, "message", SDC_STRING, "restarted") &&
	    get(0, "plugin") == NULL && seen.root[0].count == 4,
	    "a notification needs only its host");
}

static void
test_malformed(struct sdc_cd_opts *o)
{
	static const uint8_t k1[] = { 1 }, bad[] = { 7 };
	const uint64_t v1[] = { dbits(1) };
	struct pkt p = { .n = 0 };

	values_part(&p, 1, k1, v1);
	identity(&p, "p", "", "t", "");
	put16(&p, 0x0002);
	put16(&p, 7);
	memcpy(p.b + p.n, "abc", 3);	/* no NUL */
	p.n += 3;
	values_part(&p, 1, k1, v1);
	str_part(&p, 0x0002, "p");
	values_part(&p, 1, bad, v1);
	num_part(&p, 0x0001, 5);
	p.b[p.n - 9] = 11;		/* a time part of 11 bytes */
	p.n--;
	put16(&p, 0x7777);		/* an unknown part: skipped */
	put16(&p, 6);
	put16(&p, 0);
	values_part(&p, 1, k1, v1);
	put16(&p, 6);
	put16(&p, 2);			/* shorter than its header */
	read_with(o, p.b, p.n);
	is_int(seen.n, 7, "seven records");
	ok(said(0, "pkt: byte 0: values part with no host part before it"),
	    "values before the host: an error record");
	ok(said(1, "byte 74: plugin part does not end in a NUL") &&
	    said(2, "byte 81: values part after a malformed plugin part"),
	    "a string part without its NUL, and the values after it");
	ok(said(3, "value 0 is of unknown type 7"), "an unknown kind of "
	    "value");
	ok(said(4, "time part of 11 bytes, not 12") &&
	    said(5, "values part after a malformed time part"),
	    "a number part of the wrong length");
	ok(said(6, "byte 149: part length 2, less than its header"),
	    "a part length under 4 ends the input");
	p.n = 0;
	identity(&p, "p", "", "t", "");
	values_part(&p, 1, k1, v1);
	read_with(o, p.b, p.n - 3);
	ok(seen.n == 1 && said(0, "part of 15 bytes cut short by the end of "
	    "the input"), "a part cut short by the end of the input");
}

/* A signed packet: signature part, then the parts it covers. */
static size_t
sign(uint8_t *out, const char *user, const char *pw, const struct pkt *p)
{
	size_t ulen = strlen(user), n = 36 + ulen;
	unsigned len = 32;

	out[0] = 0x02;
	out[1] = 0x00;
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	memcpy(out + 36, user, ulen);
	memcpy(out + n, p->b, p->n);
	HMAC(EVP_sha256(), pw, (int)strlen(pw), out + 36, ulen + p->n,
	    out + 4, &len);
	return n + p->n;
}

static size_t
encrypt(uint8_t *out, const char *user, const char *pw, const struct pkt *p)
{
	size_t ulen = strlen(user), head = 6 + ulen + 16, n = head + 20 + p->n;
	uint8_t key[32], plain[4096 + 20];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, fin = 0;

	out[0] = 0x02;
	out[1] = 0x10;
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	out[4] = (uint8_t)(ulen >> 8);
	out[5] = (uint8_t)ulen;
	memcpy(out + 6, user, ulen);
	for (int i = 0; i < 16; i++)
		out[6 + ulen + i] = (uint8_t)(i * 17 + 3);
	EVP_Digest(p->b, p->n, plain, NULL, EVP_sha1(), NULL);
	memcpy(plain + 20, p->b, p->n);
	EVP_Digest(pw, strlen(pw), key, NULL, EVP_sha256(), NULL);
	EVP_EncryptInit_ex(c, EVP_aes_256_ofb(), NULL, key, out + 6 + ulen);
	EVP_EncryptUpdate(c, out + head, &len, plain, (int)(20 + p->n));
	EVP_EncryptFinal_ex(c, out + head + len, &fin);
	EVP_CIPHER_CTX_free(c);
	return n;
}

static void
test_security(struct sdc_cd_opts *o)
{
	static const uint8_t k1[] = { 1 };
	const uint64_t v1[] = { dbits(7) };
	uint8_t b[3 * 4096];
	struct pkt p = { .n = 0 };
	size_t n, m;
	char err[256], *path = temp_file("alice: open sesame\n"
	    "  bob :  pw2  \n");

	ok(sdc_cd_auth_load(&o->auth, path, err, sizeof err) &&
	    o->auth.n == 2 && strcmp(sdc_cd_auth_password(&o->auth, "bob",
	    3), "pw2") == 0, "the auth file: users and passwords trimmed");
	unlink(path);
	identity(&p, "s", "", "gauge", "");
	values_part(&p, 1, k1, v1);
	n = sign(b, "alice", "open sesame", &p);
	m = sign(b + n, "bob", "pw2", &p);
	read_with(o, b, n + m);
	ok(seen.n == 2 && seen.kind[0] == SDC_KIND_DATA &&
	    seen.kind[1] == SDC_KIND_DATA && is_double(1, "gauge", 7),
	    "two signed packets one after the other, each verified");
	b[n + m - 1] ^= 1;
	read_with(o, b, n + m);
	ok(seen.n == 2 && seen.kind[0] == SDC_KIND_DATA &&
	    said(1, "byte 119: signature of user 'bob' does not match"),
	    "a changed byte fails its packet's signature only");
	n = sign(b, "carol", "x", &p);
	read_with(o, b, n);
	ok(said(0, "signed by user 'carol', who is not in the auth file"),
	    "an unknown user");
	n = encrypt(b, "bob", "pw2", &p);
	m = encrypt(b + n, "alice", "open sesame", &p);
	read_with(o, b, n + m);
	ok(seen.n == 2 && is_double(0, "gauge", 7) &&
	    is_text(1, "host", SDC_STRING, "sensor-7"), "two encrypted "
	    "parts decrypted");
	b[n - 1] ^= 0x40;
	read_with(o, b, n);
	ok(said(0, "does not decrypt with the password of 'bob'"),
	    "a changed byte fails the SHA-1 of the encrypted part");
	o->level = SDC_CD_SIGN;
	n = sign(b, "alice", "open sesame", &p);
	read_with(o, b, n);
	ok(seen.n == 1 && seen.kind[0] == SDC_KIND_DATA,
	    "--collectd-security-level sign: a signed packet taken");
	read_with(o, p.b, p.n);
	ok(said(0, "values part neither signed nor encrypted, refused"),
	    "--collectd-security-level sign: an unsigned one refused");
	o->level = SDC_CD_ENCRYPT;
	read_with(o, b, n);
	ok(said(0, "neither encrypted, refused by --collectd-security-level "
	    "encrypt"), "--collectd-security-level encrypt: a signed one "
	    "refused");
	o->level = SDC_CD_NONE;
	sdc_cd_auth_release(&o->auth);
	n = encrypt(b, "bob", "pw2", &p);
	read_with(o, b, n);
	ok(said(0, "encrypted part, and no --collectd-auth-file"),
	    "an encrypted part without an auth file");
}

int
main(void)
{
	const struct sdc_format *f = sdc_format_find("collectd");
	struct sdc_cd_opts o;

	ok(f != NULL && f->read != NULL && f->writer == NULL,
	    "collectd: a format that reads");
	f->opts_init(&o);
	sdc_arena_init(&seen.arena);
	test_value_lists(&o);
	test_types_db(&o);
	test_times_and_notifications(&o);
	test_malformed(&o);
	test_security(&o);
	f->opts_release(&o);
	sdc_arena_release(&seen.arena);
	return tap_done();
}
