/*
 * netflow: Cisco NetFlow export packets, versions 5 and 9, as Data
 * Collector's NetFlow data format reads them: a record per flow with
 * the fields of its packet's header.  Packets may follow each other in
 * one input (a capture file): a v5 packet's length comes from its count
 * of flows, a v9 packet ends where a flowset ID of 5 or 9 (reserved,
 * so the version of the next packet) stands.  This file holds the
 * entry, the options, the template cache and version 5; netflow-v9.c
 * reads version 9.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "netflow.h"
#include "xalloc.h"
#include "banned.h"

#define PACKET_MAX	65535u
#define V5_HEAD		24u
#define V5_FLOW		48u

void
sdc_nf_reject(struct sdc_nf_reader *r, const uint8_t *raw, size_t n,
    uint64_t at, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	r->run->n.in++;
	sdc_run_reject_raw(r->run, sdc_idbuf_make(&r->id, ++r->n), raw, n,
	    "NETFLOW_PARSE", "%s: byte %llu: %s", r->in->name,
	    (unsigned long long)at, why);
}

size_t
sdc_nf_ipv4(char *dst, const uint8_t *p)
{
	return (size_t)snprintf(dst, 16, "%u.%u.%u.%u", p[0], p[1], p[2],
	    p[3]);
}

/*
 * Data Collector's ids: the packet's is the smallest version-1 UUID of
 * its time in milliseconds; a flow's has the same time and, instead of
 * a random clock and node, its number in the input.
 */
static void
uuid_text(char *dst, int64_t ms, uint64_t low)
{
	uint64_t t = (uint64_t)(ms + 12219292800000LL) * 10000, hi;

	hi = (t & 0xffffffffu) << 32 | (t & 0xffff00000000u) >> 16 |
	    (t & 0x0fff000000000000u) >> 48 | 0x1000;
	snprintf(dst, 37, "%08llx-%04llx-%04llx-%04llx-%012llx",
	    (unsigned long long)(hi >> 32),
	    (unsigned long long)(hi >> 16 & 0xffff),
	    (unsigned long long)(hi & 0xffff),
	    (unsigned long long)(low >> 48),
	    (unsigned long long)(low & 0xffffffffffffu));
}

static void
put_int(struct sdc_record *rec, const char *key, enum sdc_type t, int64_t v)
{
	sdc_field_int(sdc_map_append(&rec->arena, &rec->root, key,
	    strlen(key)), t, v);
}

static void
put_text(struct sdc_record *rec, const char *key, const char *s, size_t n)
{
	sdc_field_copy_bytes(&rec->arena, sdc_map_append(&rec->arena,
	    &rec->root, key, strlen(key)), SDC_STRING, s, n);
}

static void
put_addr(struct sdc_record *rec, const char *key, const char *skey,
    const uint8_t *p)
{
	char text[16];

	put_int(rec, key, SDC_INTEGER, (int32_t)sdc_be32(p));
	put_text(rec, skey, text, sdc_nf_ipv4(text, p));
}

/* The fields of the header, as each flow's record repeats them. */
static void
v5_header(struct sdc_nf_reader *r, const uint8_t *h, size_t len)
{
	struct sdc_record *rec = &r->rec;
	int64_t ms = (int64_t)sdc_be32(h + 8) * 1000 + sdc_be32(h + 12) /
	    1000000;
	char uuid[37];

	uuid_text(uuid, ms, 0x8080808080808080u);
	put_int(rec, "version", SDC_INTEGER, 5);
	put_text(rec, "packetid", uuid, 36);
	put_text(rec, "sender", "unknown", 7);
	put_int(rec, "length", SDC_INTEGER, (int64_t)len);
	put_int(rec, "uptime", SDC_LONG, sdc_be32(h + 4));
	put_int(rec, "seconds", SDC_LONG, sdc_be32(h + 8));
	put_int(rec, "nanos", SDC_LONG, sdc_be32(h + 12));
	put_int(rec, "timestamp", SDC_LONG, ms);
	put_int(rec, "flowseq", SDC_LONG, sdc_be32(h + 16));
	put_int(rec, "engineid", SDC_SHORT, h[21]);
	put_int(rec, "enginetype", SDC_SHORT, h[20]);
	put_int(rec, "raw_sampling", SDC_INTEGER, sdc_be16(h + 22));
	put_int(rec, "samplingint", SDC_INTEGER, sdc_be16(h + 22) & 0x3fff);
	put_int(rec, "samplingmode", SDC_INTEGER, sdc_be16(h + 22) >> 14);
	put_text(rec, "readerId", r->in->name, strlen(r->in->name));
	put_int(rec, "count", SDC_INTEGER, sdc_be16(h + 2));
}

/* first and last: uptimes made times, 0 staying 0. */
static void
put_switched(struct sdc_record *rec, const char *key, const char *raw,
    const uint8_t *h, uint32_t v)
{
	int64_t ms = (int64_t)sdc_be32(h + 8) * 1000 + sdc_be32(h + 12) /
	    1000000;

	put_int(rec, key, SDC_LONG, v > 0 ? ms - sdc_be32(h + 4) + v : 0);
	put_int(rec, raw, SDC_LONG, v);
}

void
sdc_nf_new_record(struct sdc_nf_reader *r, enum sdc_type root)
{
	const char *id = sdc_idbuf_make(&r->id, ++r->n);

	sdc_run_new_record(r->run, &r->rec, id, r->id.len);
	sdc_field_container(&r->rec.root, root);
}

static void
v5_flow(struct sdc_nf_reader *r, const uint8_t *h, size_t len,
    const uint8_t *f)
{
	struct sdc_record *rec = &r->rec;
	int64_t ms = (int64_t)sdc_be32(h + 8) * 1000 + sdc_be32(h + 12) /
	    1000000;
	char uuid[37];

	sdc_nf_new_record(r, SDC_MAP);
	v5_header(r, h, len);
	uuid_text(uuid, ms, 0x8000000000000000u | (r->n & 0x3fffffffffffffffu));
	put_text(rec, "id", uuid, 36);
	put_addr(rec, "srcaddr", "srcaddr_s", f);
	put_addr(rec, "dstaddr", "dstaddr_s", f + 4);
	put_addr(rec, "nexthop", "nexthop_s", f + 8);
	put_int(rec, "srcport", SDC_INTEGER, sdc_be16(f + 32));
	put_int(rec, "dstport", SDC_INTEGER, sdc_be16(f + 34));
	put_int(rec, "srcas", SDC_INTEGER, sdc_be16(f + 40));
	put_int(rec, "dstas", SDC_INTEGER, sdc_be16(f + 42));
	put_int(rec, "dPkts", SDC_LONG, sdc_be32(f + 16));
	put_int(rec, "dOctets", SDC_LONG, sdc_be32(f + 20));
	put_int(rec, "proto", SDC_SHORT, f[38]);
	put_int(rec, "tos", SDC_SHORT, f[39]);
	put_int(rec, "tcp_flags", SDC_SHORT, f[37]);
	put_switched(rec, "first", "raw_first", h, sdc_be32(f + 24));
	put_switched(rec, "last", "raw_last", h, sdc_be32(f + 28));
	put_int(rec, "snmpinput", SDC_INTEGER, sdc_be16(f + 12));
	put_int(rec, "snmponput", SDC_INTEGER, sdc_be16(f + 14));
	put_int(rec, "src_mask", SDC_SHORT, f[44]);
	put_int(rec, "dst_mask", SDC_SHORT, f[45]);
	r->run->n.in++;
	sdc_run_emit(r->run, rec);
}

/* A v5 packet: its length, or 0 when the input cannot be read on. */
static size_t
v5_packet(struct sdc_nf_reader *r, const uint8_t *p, size_t have,
    uint64_t at)
{
	size_t count, len;

	if (have < V5_HEAD) {
		sdc_nf_reject(r, p, have, at, "v5 header cut short by the "
		    "end of the input");
		return 0;
	}
	count = sdc_be16(p + 2);
	len = V5_HEAD + V5_FLOW * count;
	if (count == 0) {
		sdc_nf_reject(r, p, V5_HEAD, at, "v5 packet of no flows");
		return V5_HEAD;
	}
	if (have < len) {
		sdc_nf_reject(r, p, have, at, "v5 packet of %zu flows (%zu "
		    "bytes) cut short at %zu bytes", count, len, have);
		return 0;
	}
	for (size_t i = 0; i < count; i++)
		v5_flow(r, p, len, p + V5_HEAD + V5_FLOW * i);
	return len;
}

/* One packet from the window: false at the end. */
static bool
next(struct sdc_nf_reader *r)
{
	uint64_t at = sdc_window_offset(&r->w);
	size_t have, len = 0;
	const uint8_t *p = sdc_window_peek(&r->w, PACKET_MAX, &have);

	if (have == 0)
		return false;
	if (have < 2) {
		sdc_nf_reject(r, p, have, at, "packet cut short by the end "
		    "of the input");
		return false;
	}
	switch (sdc_be16(p)) {
	case 5:
		len = v5_packet(r, p, have, at);
		break;
	case 9:
		if (have < 20)
			sdc_nf_reject(r, p, have, at, "v9 header cut short by "
			    "the end of the input");
		else
			len = sdc_nf_v9_packet(r, p, have, at);
		break;
	default:
		sdc_nf_reject(r, p, have < 24 ? have : 24, at, "NetFlow "
		    "version %u, not 5 or 9", sdc_be16(p));
		break;
	}
	sdc_window_skip(&r->w, len);
	return len > 0;
}

static void
netflow_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	struct sdc_nf_reader *r = sdc_xcalloc(1, sizeof *r);

	r->run = run;
	r->in = in;
	r->o = opts;
	sdc_window_init(&r->w, run, in, PACKET_MAX);
	sdc_record_init(&r->rec);
	sdc_idbuf_init(&r->id, in->name);
	while (next(r))
		continue;
	sdc_idbuf_release(&r->id);
	sdc_record_release(&r->rec);
	sdc_window_release(&r->w);
	free(r);
}

/* The template cache. */
void
sdc_nf_cache_init(struct sdc_nf_cache *c, size_t max)
{
	memset(c, 0, sizeof *c);
	c->max = max;
}

static void
template_release(struct sdc_nf_template *t)
{
	free(t->f);
}

void
sdc_nf_cache_release(struct sdc_nf_cache *c)
{
	for (size_t i = 0; i < c->n; i++)
		template_release(&c->v[i]);
	free(c->v);
	c->v = NULL;
	c->n = 0;
}

static struct sdc_nf_template *
find(struct sdc_nf_cache *c, uint32_t source_id, uint16_t id)
{
	for (size_t i = 0; i < c->n; i++) {
		struct sdc_nf_template *t = &c->v[i];

		if (t->id == id && t->source_id == source_id)
			return t;
	}
	return NULL;
}

void
sdc_nf_cache_put(struct sdc_nf_cache *c, struct sdc_nf_template *t)
{
	struct sdc_nf_template *slot = find(c, t->source_id, t->id);

	if (slot == NULL && c->n < c->max) {
		c->v = sdc_xreallocarray(c->v, c->n + 1, sizeof *c->v);
		slot = &c->v[c->n++];
	} else if (slot == NULL) {
		slot = &c->v[0];
		for (size_t i = 1; i < c->n; i++)
			if (c->v[i].used < slot->used)
				slot = &c->v[i];
		template_release(slot);
	} else
		template_release(slot);
	*slot = *t;
	slot->used = ++c->tick;
}

struct sdc_nf_template *
sdc_nf_cache_get(struct sdc_nf_cache *c, uint32_t source_id, uint16_t id)
{
	struct sdc_nf_template *t = find(c, source_id, id);

	if (t != NULL)
		t->used = ++c->tick;
	return t;
}

/* Options. */
static void
opts_init(void *opts)
{
	struct sdc_nf_opts *o = opts;

	o->values = SDC_NF_BOTH;
	o->cache = sdc_xcalloc(1, sizeof *o->cache);
	sdc_nf_cache_init(o->cache, SDC_NF_CACHE_DEFAULT);
}

static void
opts_release(void *opts)
{
	struct sdc_nf_opts *o = opts;

	sdc_nf_cache_release(o->cache);
	free(o->cache);
}

static void
set_values(void *opts, const char *opt, const char *arg)
{
	static const char *const words[] = { "both", "raw", "interpreted",
	    NULL };

	((struct sdc_nf_opts *)opts)->values = sdc_parse_word(opt, arg,
	    words);
}

static void
set_cache(void *opts, const char *opt, const char *arg)
{
	unsigned long n = sdc_parse_count(opt, arg);

	if (n == 0)
		sdc_usage_error("%s: must be at least 1", opt);
	((struct sdc_nf_opts *)opts)->cache->max = n;
}

static const struct sdc_plugin_option options[] = {
	{ "netflow-values", 0, "both|raw|interpreted", "v9 fields as bytes, "
	  "as values, or both", set_values },
	{ "netflow-template-cache", 0, "N", "v9 templates remembered (default "
	  "1000)", set_cache },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_netflow = {
	.name = "netflow",
	.summary = "NetFlow v5 and v9 export packets (read only)",
	.options = options,
	.opts_size = sizeof(struct sdc_nf_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = netflow_read,
};
