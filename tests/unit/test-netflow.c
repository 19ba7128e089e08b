/*
 * The netflow format on packets built here from Cisco's descriptions
 * of version 5 and of version 9 (RFC 3954): the fields of a v5 flow and
 * its header, v9 templates, options templates and data flowsets read
 * raw and interpreted, the template cache across inputs and its bound,
 * packets one after the other, and malformed ones as error records.
 */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "netflow.h"
#include "run.h"
#include "tap.h"

struct pkt {
	uint8_t	b[4096];
	size_t	n;
};

static void
put8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = (uint8_t)v;
}

static void
put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v);
}

static void
put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v & 0xffff);
}

static void
put_bytes(struct pkt *p, const void *s, size_t n)
{
	memcpy(p->b + p->n, s, n);
	p->n += n;
}

/* Set the 16 bits at offset at. */
static void
set16(struct pkt *p, size_t at, unsigned v)
{
	p->b[at] = (uint8_t)(v >> 8);
	p->b[at + 1] = (uint8_t)v;
}

static void
v5_header(struct pkt *p, unsigned count)
{
	put16(p, 5);
	put16(p, count);
	put32(p, 3600000);		/* uptime: an hour */
	put32(p, 1700000000);
	put32(p, 500000000);		/* + 500 ms */
	put32(p, 77);			/* flow sequence */
	put8(p, 1);			/* engine type */
	put8(p, 2);			/* engine id */
	put16(p, 0x4005);		/* sampling mode 1, interval 5 */
}

static void
v5_flow(struct pkt *p, uint8_t last_octet, unsigned sport)
{
	static const uint8_t src[] = { 192, 168, 1, 0 }, dst[] = { 10, 0, 0,
	    2 }, hop[] = { 0, 0, 0, 0 };

	put_bytes(p, src, 3);
	put8(p, last_octet);
	put_bytes(p, dst, 4);
	put_bytes(p, hop, 4);
	put16(p, 3);			/* input interface */
	put16(p, 4);			/* output */
	put32(p, 10);			/* packets */
	put32(p, 4000);			/* octets */
	put32(p, 3599000);		/* first: a second before export */
	put32(p, 3599500);		/* last */
	put16(p, sport);
	put16(p, 443);
	put8(p, 0);
	put8(p, 0x1b);			/* tcp flags */
	put8(p, 6);
	put8(p, 0x10);			/* tos */
	put16(p, 64512);
	put16(p, 65001);
	put8(p, 24);
	put8(p, 16);
	put16(p, 0);
}

static void
v9_header(struct pkt *p, unsigned count, uint32_t source)
{
	put16(p, 9);
	put16(p, count);
	put32(p, 123456);
	put32(p, 1700000000);
	put32(p, 42);
	put32(p, source);
}

/* A template flowset of template id with n (type, length) pairs. */
static void
template(struct pkt *p, unsigned id, const unsigned (*f)[2], size_t n)
{
	put16(p, 0);
	put16(p, (unsigned)(8 + 4 * n));
	put16(p, id);
	put16(p, (unsigned)n);
	for (size_t i = 0; i < n; i++) {
		put16(p, f[i][0]);
		put16(p, f[i][1]);
	}
}

static const unsigned fields[][2] = { { 8, 4 }, { 12, 4 }, { 7, 2 },
	{ 4, 1 }, { 1, 8 }, { 56, 6 }, { 82, 8 }, { 27, 16 }, { 200, 2 },
	{ 1, 4 } };

/* A data record of the template above. */
static void
record(struct pkt *p, uint8_t n)
{
	static const uint8_t mac[] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb, 0xcc },
	    v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };

	put32(p, 0x0a000001);
	put32(p, 0xc0a80000 | n);
	put16(p, 5353);
	put8(p, 17);
	put32(p, 0);
	put32(p, 1000u * n);
	put_bytes(p, mac, 6);
	put_bytes(p, "eth0\0\0\0\0", 8);
	put_bytes(p, v6, 16);
	put16(p, 0xbeef);
	put32(p, 7);
}

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
read_with(const struct sdc_format *f, void *o, const void *p, size_t n)
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
	f->read(&run, &in, o);
	sdc_run_finish(&run);
}

/* The field at a path of keys, as "values", "IN_BYTES". */
static const struct sdc_field *
at(int i, const char *k1, const char *k2)
{
	const struct sdc_field *f = sdc_map_get(&seen.root[i], k1,
	    strlen(k1));

	if (f != NULL && k2 != NULL)
		f = sdc_map_get(f, k2, strlen(k2));
	return f;
}

static bool
is_int_f(const struct sdc_field *f, enum sdc_type t, int64_t v)
{
	return f != NULL && f->type == t && !f->null && f->v.i == v;
}

static bool
is_text_f(const struct sdc_field *f, enum sdc_type t, const void *s,
    size_t n)
{
	return f != NULL && f->type == t && f->v.s.len == n &&
	    memcmp(f->v.s.ptr, s, n) == 0;
}

#define IS_TEXT(f, t, s) is_text_f((f), (t), (s), strlen(s))

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
test_v5(const struct sdc_format *f, void *o)
{
	struct pkt p = { .n = 0 };

	v5_header(&p, 2);
	v5_flow(&p, 1, 50000);
	v5_flow(&p, 2, 50001);
	read_with(f, o, p.b, p.n);
	is_int(seen.n, 2, "v5: two flows, two records");
	ok(is_int_f(at(0, "version", NULL), SDC_INTEGER, 5) &&
	    is_int_f(at(0, "count", NULL), SDC_INTEGER, 2) &&
	    is_int_f(at(0, "length", NULL), SDC_INTEGER, 120) &&
	    is_int_f(at(0, "uptime", NULL), SDC_LONG, 3600000) &&
	    is_int_f(at(0, "seconds", NULL), SDC_LONG, 1700000000) &&
	    is_int_f(at(0, "nanos", NULL), SDC_LONG, 500000000) &&
	    is_int_f(at(0, "timestamp", NULL), SDC_LONG, 1700000000500) &&
	    is_int_f(at(0, "flowseq", NULL), SDC_LONG, 77) &&
	    is_int_f(at(0, "enginetype", NULL), SDC_SHORT, 1) &&
	    is_int_f(at(0, "engineid", NULL), SDC_SHORT, 2) &&
	    is_int_f(at(0, "raw_sampling", NULL), SDC_INTEGER, 0x4005) &&
	    is_int_f(at(0, "samplingmode", NULL), SDC_INTEGER, 1) &&
	    is_int_f(at(0, "samplingint", NULL), SDC_INTEGER, 5) &&
	    IS_TEXT(at(0, "readerId", NULL), SDC_STRING, "pkt") &&
	    IS_TEXT(at(0, "sender", NULL), SDC_STRING, "unknown"),
	    "v5: the header's fields in the record");
	/* the smallest v1 UUID of 1700000000.5 s, as Python's uuid says */
	ok(IS_TEXT(at(0, "packetid", NULL), SDC_STRING,
	    "04fc0b40-833b-11ee-8080-808080808080") &&
	    IS_TEXT(at(1, "packetid", NULL), SDC_STRING,
	    "04fc0b40-833b-11ee-8080-808080808080") &&
	    IS_TEXT(at(0, "id", NULL), SDC_STRING,
	    "04fc0b40-833b-11ee-8000-000000000001") &&
	    IS_TEXT(at(1, "id", NULL), SDC_STRING,
	    "04fc0b40-833b-11ee-8000-000000000002"),
	    "v5: packetid, and an id of its own for each flow");
	ok(IS_TEXT(at(0, "srcaddr_s", NULL), SDC_STRING, "192.168.1.1") &&
	    is_int_f(at(0, "srcaddr", NULL), SDC_INTEGER,
	    (int32_t)0xc0a80101) &&
	    IS_TEXT(at(1, "srcaddr_s", NULL), SDC_STRING, "192.168.1.2") &&
	    IS_TEXT(at(0, "dstaddr_s", NULL), SDC_STRING, "10.0.0.2") &&
	    IS_TEXT(at(0, "nexthop_s", NULL), SDC_STRING, "0.0.0.0") &&
	    is_int_f(at(0, "srcport", NULL), SDC_INTEGER, 50000) &&
	    is_int_f(at(1, "srcport", NULL), SDC_INTEGER, 50001) &&
	    is_int_f(at(0, "dstport", NULL), SDC_INTEGER, 443) &&
	    is_int_f(at(0, "snmpinput", NULL), SDC_INTEGER, 3) &&
	    is_int_f(at(0, "snmponput", NULL), SDC_INTEGER, 4) &&
	    is_int_f(at(0, "dPkts", NULL), SDC_LONG, 10) &&
	    is_int_f(at(0, "dOctets", NULL), SDC_LONG, 4000) &&
	    is_int_f(at(0, "tcp_flags", NULL), SDC_SHORT, 0x1b) &&
	    is_int_f(at(0, "proto", NULL), SDC_SHORT, 6) &&
	    is_int_f(at(0, "tos", NULL), SDC_SHORT, 0x10) &&
	    is_int_f(at(0, "srcas", NULL), SDC_INTEGER, 64512) &&
	    is_int_f(at(0, "dstas", NULL), SDC_INTEGER, 65001) &&
	    is_int_f(at(0, "src_mask", NULL), SDC_SHORT, 24) &&
	    is_int_f(at(0, "dst_mask", NULL), SDC_SHORT, 16),
	    "v5: the flow's addresses, ports, interfaces, counts, flags, "
	    "ASes and masks");
	ok(is_int_f(at(0, "raw_first", NULL), SDC_LONG, 3599000) &&
	    is_int_f(at(0, "first", NULL), SDC_LONG, 1700000000500 - 1000) &&
	    is_int_f(at(0, "last", NULL), SDC_LONG, 1700000000500 - 500),
	    "v5: first and last as times (export time - uptime + value)");
	read_with(f, o, p.b, p.n - 1);
	ok(seen.n == 1 && said(0, "pkt: byte 0: v5 packet of 2 flows (120 "
	    "bytes) cut short at 119 bytes"), "v5: a packet cut short");
	set16(&p, 2, 0);
	read_with(f, o, p.b, 24);
	ok(said(0, "v5 packet of no flows"), "v5: a count of 0");
	set16(&p, 0, 7);
	read_with(f, o, p.b, p.n);
	ok(seen.n == 1 && said(0, "byte 0: NetFlow version 7, not 5 or 9"),
	    "an unknown version");
}

static void
v9_one(struct pkt *p, uint32_t source)
{
	v9_header(p, 3, source);
	template(p, 256, fields, sizeof fields / sizeof *fields);
	put16(p, 256);
	put16(p, 4 + 2 * 55 + 3);
	record(p, 1);
	record(p, 2);
	put_bytes(p, "\0\0\0", 3);	/* padding */
}

static void
test_v9(const struct sdc_format *f, struct sdc_nf_opts *o)
{
	static const uint8_t raw_mac[] = { 0x00, 0x1b, 0x21, 0xaa, 0xbb,
	    0xcc }, source_raw[] = { 0, 0, 0, 9 };
	struct pkt p = { .n = 0 };

	v9_one(&p, 9);
	read_with(f, o, p.b, p.n);
	is_int(seen.n, 2, "v9: a template and two data records, two records");
	ok(seen.root[0].type == SDC_LIST_MAP &&
	    IS_TEXT(at(0, "flowKind", NULL), SDC_STRING, "FLOWSET") &&
	    is_int_f(at(0, "flowTemplateId", NULL), SDC_INTEGER, 256) &&
	    is_int_f(at(0, "packetHeader", "version"), SDC_INTEGER, 9) &&
	    is_int_f(at(0, "packetHeader", "flowRecordCount"), SDC_INTEGER,
	    3) && is_int_f(at(0, "packetHeader", "sysUptimeMs"), SDC_LONG,
	    123456) && is_int_f(at(0, "packetHeader", "unixSeconds"),
	    SDC_LONG, 1700000000) && is_int_f(at(0, "packetHeader",
	    "sequenceNumber"), SDC_LONG, 42) && is_int_f(at(0,
	    "packetHeader", "sourceId"), SDC_LONG, 9) &&
	    is_text_f(at(0, "packetHeader", "sourceIdRaw"), SDC_BYTE_ARRAY,
	    source_raw, 4), "v9: flowKind, flowTemplateId and packetHeader");
	ok(IS_TEXT(at(1, "values", "IPV4_SRC_ADDR"), SDC_STRING, "10.0.0.1") &&
	    IS_TEXT(at(1, "values", "IPV4_DST_ADDR"), SDC_STRING,
	    "192.168.0.2") &&
	    is_int_f(at(1, "values", "L4_SRC_PORT"), SDC_INTEGER, 5353) &&
	    is_int_f(at(1, "values", "PROTOCOL"), SDC_INTEGER, 17) &&
	    IS_TEXT(at(1, "values", "IN_BYTES"), SDC_DECIMAL, "7") &&
	    IS_TEXT(at(1, "values", "IN_SRC_MAC"), SDC_STRING,
	    "00:1B:21:AA:BB:CC") &&
	    IS_TEXT(at(1, "values", "IF_NAME"), SDC_STRING, "eth0") &&
	    IS_TEXT(at(1, "values", "IPV6_SRC_ADDR"), SDC_STRING,
	    "2001:db8::1") &&
	    is_text_f(at(1, "values", "type_200"), SDC_BYTE_ARRAY, "\xbe\xef",
	    2) && at(1, "values", NULL)->count == 9,
	    "v9: values interpreted; a type repeated keeps its place and its "
	    "last value; an unknown type as bytes");
	ok(is_text_f(at(1, "rawValues", "IN_SRC_MAC"), SDC_BYTE_ARRAY,
	    raw_mac, 6) && at(1, "rawValues", NULL)->count == 9,
	    "v9: rawValues, the bytes of each field");
	o->values = SDC_NF_RAW;
	read_with(f, o, p.b, p.n);
	ok(at(0, "values", NULL) == NULL && at(0, "rawValues", NULL) != NULL,
	    "--netflow-values raw");
	o->values = SDC_NF_INTERPRETED;
	read_with(f, o, p.b, p.n);
	ok(at(0, "values", NULL) != NULL && at(0, "rawValues", NULL) == NULL,
	    "--netflow-values interpreted");
	o->values = SDC_NF_BOTH;
	p.n = 0;
	v9_header(&p, 1, 9);
	put16(&p, 256);
	put16(&p, 4 + 55);
	record(&p, 3);
	read_with(f, o, p.b, p.n);
	ok(seen.n == 1 && IS_TEXT(at(0, "values", "IPV4_DST_ADDR"),
	    SDC_STRING, "192.168.0.3"), "v9: the template remembered from an "
	    "earlier input");
	p.n = 0;
	v9_header(&p, 1, 10);
	put16(&p, 256);
	put16(&p, 4 + 55);
	record(&p, 3);
	read_with(f, o, p.b, p.n);
	ok(said(0, "pkt: byte 20: data flowset of template 256 from source "
	    "id 10, a template not known (yet)"), "v9: data of another "
	    "source id, whose template is not known: an error record");
}

static void
test_v9_options_and_cache(const struct sdc_format *f, struct sdc_nf_opts *o)
{
	static const unsigned one[][2] = { { 8, 4 } };
	struct pkt p = { .n = 0 };
	size_t start;

	v9_header(&p, 2, 1);
	put16(&p, 1);			/* an options template */
	put16(&p, 4 + 6 + 8 + 2);
	put16(&p, 300);
	put16(&p, 4);
	put16(&p, 4);
	put16(&p, 2);			/* scope: interface */
	put16(&p, 4);
	put16(&p, 34);			/* sampling interval */
	put16(&p, 4);
	put16(&p, 0);			/* padding */
	put16(&p, 300);
	put16(&p, 12);
	put32(&p, 5);
	put32(&p, 100);
	start = p.n;			/* a v5 packet next */
	v5_header(&p, 1);
	v5_flow(&p, 9, 1);
	read_with(f, o, p.b, p.n);
	ok(seen.n == 2 && IS_TEXT(at(0, "flowKind", NULL), SDC_STRING,
	    "OPTIONS") && is_text_f(at(0, "values", "SCOPE_INTERFACE"),
	    SDC_BYTE_ARRAY, "\0\0\0\5", 4) && is_int_f(at(0, "values",
	    "SAMPLING_INTERVAL"), SDC_LONG, 100) && is_int_f(at(1,
	    "version", NULL), SDC_INTEGER, 5), "v9: an options template and "
	    "its data, then a v5 packet after it");
	p.n = start;
	put16(&p, 7);			/* a reserved flowset */
	put16(&p, 8);
	put32(&p, 0);
	put16(&p, 0);			/* a template flowset too short */
	put16(&p, 40);
	read_with(f, o, p.b, p.n);
	ok(seen.n == 3 && said(1, "byte 52: flowset id 7 is reserved") &&
	    said(2, "byte 60: flowset length 40 where 4 bytes are left"),
	    "v9: a reserved flowset, and one past the end");
	f->opts_release(o);
	f->opts_init(o);
	o->cache->max = 1;
	p.n = 0;
	v9_header(&p, 2, 1);
	template(&p, 256, one, 1);
	template(&p, 257, one, 1);
	put16(&p, 256);
	put16(&p, 8);
	put32(&p, 0x01020304);
	put16(&p, 257);
	put16(&p, 8);
	put32(&p, 0x01020305);
	read_with(f, o, p.b, p.n);
	ok(seen.n == 2 && said(0, "template 256 from source id 1, a "
	    "template not known") && IS_TEXT(at(1, "values",
	    "IPV4_SRC_ADDR"), SDC_STRING, "1.2.3.5"),
	    "--netflow-template-cache 1: the older template forgotten");
	o->cache->max = SDC_NF_CACHE_DEFAULT;
	p.n = 0;
	v9_header(&p, 1, 1);
	put16(&p, 0);
	put16(&p, 12);
	put16(&p, 260);
	put16(&p, 1);
	put16(&p, 8);
	put16(&p, 0);			/* a field of no length */
	read_with(f, o, p.b, p.n);
	ok(said(0, "template 260 has a field of no length"), "v9: a template "
	    "with a field of length 0");
}

int
main(void)
{
	const struct sdc_format *f = sdc_format_find("netflow");
	struct sdc_nf_opts o;

	ok(f != NULL && f->read != NULL && f->writer == NULL,
	    "netflow: a format that reads");
	f->opts_init(&o);
	sdc_arena_init(&seen.arena);
	test_v5(f, &o);
	test_v9(f, &o);
	test_v9_options_and_cache(f, &o);
	f->opts_release(&o);
	sdc_arena_release(&seen.arena);
	return tap_done();
}
