/*
 * The field types of NetFlow v9 (RFC 3954, section 8), by the names
 * Data Collector gives them, and how each one's bytes read: counters
 * as DECIMAL, small numbers as INTEGER or LONG, addresses as text.
 * Types not listed are named type_N (scope fields scope_N) and kept as
 * bytes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "netflow.h"
#include "utf8.h"
#include "banned.h"

enum kind {
	RAW,		/* the bytes */
	COUNT,		/* unsigned, any length: DECIMAL */
	U8, U16,	/* unsigned: INTEGER */
	U32,		/* unsigned: LONG */
	IPV4, IPV6, MAC,
	TEXT		/* UTF-8, NUL padding dropped */
};

struct ftype {
	uint16_t	 id;
	uint8_t		 kind;
	const char	*name;
};

static const struct ftype types[] = {
	{ 1, COUNT, "IN_BYTES" }, { 2, COUNT, "IN_PKTS" },
	{ 3, COUNT, "FLOWS" }, { 4, U8, "PROTOCOL" }, { 5, U8, "SRC_TOS" },
	{ 6, U8, "TCP_FLAGS" }, { 7, U16, "L4_SRC_PORT" },
	{ 8, IPV4, "IPV4_SRC_ADDR" }, { 9, U8, "SRC_MASK" },
	{ 10, COUNT, "INPUT_SNMP" }, { 11, U16, "L4_DST_PORT" },
	{ 12, IPV4, "IPV4_DST_ADDR" }, { 13, U8, "DST_MASK" },
	{ 14, COUNT, "OUTPUT_SNMP" }, { 15, IPV4, "IPV4_NEXT_HOP" },
	{ 16, COUNT, "SRC_AS" }, { 17, COUNT, "DST_AS" },
	{ 18, IPV4, "BGP_IPV4_NEXT_HOP" }, { 19, COUNT, "MUL_DST_PKTS" },
	{ 20, COUNT, "MUL_DST_BYTES" }, { 21, U32, "LAST_SWITCHED" },
	{ 22, U32, "FIRST_SWITCHED" }, { 23, COUNT, "OUT_BYTES" },
	{ 24, COUNT, "OUT_PKTS" }, { 25, U16, "MIN_PKT_LNGTH" },
	{ 26, U16, "MAX_PKT_LNGTH" }, { 27, IPV6, "IPV6_SRC_ADDR" },
	{ 28, IPV6, "IPV6_DST_ADDR" }, { 29, U8, "IPV6_SRC_MASK" },
	{ 30, U8, "IPV6_DST_MASK" }, { 31, RAW, "IPV6_FLOW_LABEL" },
	{ 32, U16, "ICMP_TYPE" }, { 33, U8, "MUL_IGMP_TYPE" },
	{ 34, U32, "SAMPLING_INTERVAL" }, { 35, U8, "SAMPLING_ALGORITHM" },
	{ 36, U16, "FLOW_ACTIVE_TIMEOUT" },
	{ 37, U16, "FLOW_INACTIVE_TIMEOUT" }, { 38, U8, "ENGINE_TYPE" },
	{ 39, U8, "ENGINE_ID" }, { 40, COUNT, "TOTAL_BYTES_EXP" },
	{ 41, COUNT, "TOTAL_PKTS_EXP" }, { 42, COUNT, "TOTAL_FLOWS_EXP" },
	{ 44, U32, "IPV4_SRC_PREFIX" }, { 45, U32, "IPV4_DST_PREFIX" },
	{ 46, U8, "MPLS_TOP_LABEL_TYPE" },
	{ 47, U32, "MPLS_TOP_LABEL_IP_ADDR" }, { 48, U8, "FLOW_SAMPLER_ID" },
	{ 49, U8, "FLOW_SAMPLER_MODE" },
	{ 50, U32, "FLOW_SAMPLER_RANDOM_INTERVAL" }, { 52, U8, "MIN_TTL" },
	{ 53, U8, "MAX_TTL" }, { 54, U16, "IPV4_IDENT" },
	{ 55, U8, "DST_TOS" }, { 56, MAC, "IN_SRC_MAC" },
	{ 57, MAC, "OUT_DST_MAC" }, { 58, U16, "SRC_VLAN" },
	{ 59, U16, "DST_VLAN" }, { 60, U8, "IP_PROTOCOL_VERSION" },
	{ 61, U8, "DIRECTION" }, { 62, IPV6, "IPV6_NEXT_HOP" },
	{ 63, IPV6, "BGP_IPV6_NEXT_HOP" }, { 64, U32, "IPV6_OPTION_HEADERS" },
	{ 70, RAW, "MPLS_LABEL_1" }, { 71, RAW, "MPLS_LABEL_2" },
	{ 72, RAW, "MPLS_LABEL_3" }, { 73, RAW, "MPLS_LABEL_4" },
	{ 74, RAW, "MPLS_LABEL_5" }, { 75, RAW, "MPLS_LABEL_6" },
	{ 76, RAW, "MPLS_LABEL_7" }, { 77, RAW, "MPLS_LABEL_8" },
	{ 78, RAW, "MPLS_LABEL_9" }, { 79, RAW, "MPLS_LABEL_10" },
	{ 80, MAC, "IN_DST_MAC" }, { 81, MAC, "OUT_SRC_MAC" },
	{ 82, TEXT, "IF_NAME" }, { 83, TEXT, "IF_DESC" },
	{ 84, TEXT, "SAMPLER_NAME" }, { 85, COUNT, "IN_PERMANENT_BYTES" },
	{ 86, COUNT, "IN_PERMANENT_PKTS" }, { 88, U16, "FRAGMENT_OFFSET" },
	{ 89, U8, "FORWARDING_STATUS" }, { 90, RAW, "MPLS_PAL_RD" },
	{ 91, U8, "MPLS_PREFIX_LEN" }, { 92, U32, "SRC_TRAFFIC_INDEX" },
	{ 93, U32, "DST_TRAFFIC_INDEX" },
	{ 94, TEXT, "APPLICATION_DESCRIPTION" },
	{ 95, RAW, "APPLICATION_TAG" }, { 96, TEXT, "APPLICATION_NAME" },
	{ 98, U8, "POSTIP_DIFF_SERV_CODE_POINTS" },
	{ 99, U32, "REPLICATION_FACTOR" },
	{ 102, RAW, "LAYER2_PACKET_SECTION_OFFSET" },
	{ 103, RAW, "LAYER2_PACKET_SECTION_SIZE" },
	{ 104, RAW, "LAYER2_PACKET_SECTION_DATA" },
};

static const char *const scopes[] = { NULL, "SCOPE_SYSTEM",
    "SCOPE_INTERFACE", "SCOPE_LINE_CARD", "SCOPE_NETFLOW_CACHE",
    "SCOPE_TEMPLATE" };

static const struct ftype *
lookup(const struct sdc_nf_tfield *t)
{
	size_t lo = 0, hi = sizeof types / sizeof *types;

	if (t->scope)
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (types[mid].id == t->type)
			return &types[mid];
		if (types[mid].id < t->type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
sdc_nf_field_name(const struct sdc_nf_tfield *t, char *buf, size_t len)
{
	const struct ftype *f = lookup(t);

	if (f != NULL)
		return f->name;
	if (t->scope && t->type >= 1 && t->type <= 5)
		return scopes[t->type];
	snprintf(buf, len, "%s_%u", t->scope ? "scope" : "type", t->type);
	return buf;
}

static void
unsigned_value(struct sdc_arena *a, struct sdc_field *f, enum kind k,
    const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	char text[24];
	int len;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (k == COUNT) {
		len = snprintf(text, sizeof text, "%llu",
		    (unsigned long long)v);
		sdc_field_copy_bytes(a, f, SDC_DECIMAL, text, (size_t)len);
	} else if (k != U32 && v <= INT32_MAX)
		sdc_field_int(f, SDC_INTEGER, (int64_t)v);
	else if (v <= INT64_MAX)
		sdc_field_int(f, SDC_LONG, (int64_t)v);
	else {
		len = snprintf(text, sizeof text, "%llu",
		    (unsigned long long)v);
		sdc_field_copy_bytes(a, f, SDC_DECIMAL, text, (size_t)len);
	}
}

static void
mac_value(struct sdc_arena *a, struct sdc_field *f, const uint8_t *p,
    size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *s = sdc_arena_alloc(a, 3 * n);

	for (size_t i = 0; i < n; i++) {
		s[3 * i] = hex[p[i] >> 4];
		s[3 * i + 1] = hex[p[i] & 15];
		s[3 * i + 2] = ':';
	}
	sdc_field_borrow(f, SDC_STRING, s, 3 * n - 1);
}

/* False when the bytes do not read as the kind says. */
static bool
interpret(struct sdc_arena *a, struct sdc_field *f, enum kind k,
    const uint8_t *p, size_t n)
{
	char text[INET6_ADDRSTRLEN];

	switch (k) {
	case COUNT: case U8: case U16: case U32:
		if (n > 8)
			return false;
		unsigned_value(a, f, k, p, n);
		return true;
	case IPV4:
		if (n != 4)
			return false;
		sdc_field_copy_bytes(a, f, SDC_STRING, text,
		    sdc_nf_ipv4(text, p));
		return true;
	case IPV6:
		if (n != 16 || inet_ntop(AF_INET6, p, text, sizeof text) ==
		    NULL)
			return false;
		sdc_field_copy_bytes(a, f, SDC_STRING, text, strlen(text));
		return true;
	case MAC:
		mac_value(a, f, p, n);
		return true;
	case TEXT:
		while (n > 0 && p[n - 1] == '\0')
			n--;
		if (!sdc_utf8_valid(p, n))
			return false;
		sdc_field_copy_bytes(a, f, SDC_STRING, p, n);
		return true;
	default:
		return false;
	}
}

void
sdc_nf_interpret(struct sdc_arena *a, struct sdc_field *f,
    const struct sdc_nf_tfield *t, const uint8_t *p)
{
	const struct ftype *ft = lookup(t);

	if (ft == NULL || !interpret(a, f, ft->kind, p, t->len))
		sdc_field_copy_bytes(a, f, SDC_BYTE_ARRAY, p, t->len);
}
