/* What a record's Kafka message is sent to and with: topic, key, headers. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kafka-sink.h"
#include "sink.h"
#include "template.h"
#include "banned.h"

static void
parse_path(struct sdc_path *p, const char *text)
{
	char err[128];

	if (sdc_path_parse(p, text, err, sizeof(err)) < 0)
		sdc_usage_error("'%s': %s", text, err);
}

void
sdc_kafka_route_init(struct sdc_kafka_route *rt,
    const struct sdc_kafka_opts *o)
{
	const char *topic = o->topic_field != NULL ? o->topic_field : o->topic;
	char err[128];

	memset(rt, 0, sizeof(*rt));
	rt->topic_name = topic;
	rt->topic = sdc_template_parse(topic, err, sizeof(err));
	if (rt->topic == NULL)
		sdc_usage_error("--topic: '%s': %s", topic, err);
	if (!sdc_template_uses_record(rt->topic) && strchr(topic, '%') ==
	    NULL && strchr(topic, '$') == NULL) {
		sdc_template_free(rt->topic);
		rt->topic = NULL;
	}
	if ((rt->has_key = o->key_field != NULL))
		parse_path(&rt->key, o->key_field);
	if ((rt->has_partition = o->partition_field != NULL))
		parse_path(&rt->partition, o->partition_field);
	rt->all_headers = o->all_headers;
	rt->header_attrs = o->header_attrs;
	rt->nheader_attrs = o->nheader_attrs;
}

void
sdc_kafka_route_release(struct sdc_kafka_route *rt)
{
	if (rt->topic != NULL)
		sdc_template_free(rt->topic);
	if (rt->has_key)
		sdc_path_release(&rt->key);
	if (rt->has_partition)
		sdc_path_release(&rt->partition);
}

size_t
sdc_kafka_route_topic(const struct sdc_kafka_route *rt, struct sdc_sink *s,
    const struct sdc_record *r, char *dst, size_t len)
{
	if (rt->topic == NULL)
		return (size_t)snprintf(dst, len, "%s", rt->topic_name);
	return sdc_template_expand(rt->topic, r, sdc_sink_record_time(s, r),
	    dst, len);
}

static struct sdc_field *
field_at(const struct sdc_record *r, const struct sdc_path *p)
{
	return sdc_path_get((struct sdc_field *)&r->root, p);
}

/* A scalar's text, for a key: strings and bytes as they are. */
static bool
scalar_bytes(const struct sdc_field *f, char *buf, size_t buflen,
    const void **key, size_t *keylen)
{
	int n;

	switch (f->type) {
	case SDC_STRING: case SDC_BYTE_ARRAY: case SDC_DECIMAL:
		*key = f->v.s.ptr;
		*keylen = f->v.s.len;
		return true;
	case SDC_BOOLEAN:
		n = snprintf(buf, buflen, "%s", f->v.b ? "true" : "false");
		break;
	case SDC_CHAR: case SDC_BYTE: case SDC_SHORT: case SDC_INTEGER:
	case SDC_LONG: case SDC_DATE: case SDC_DATETIME: case SDC_TIME:
		n = snprintf(buf, buflen, "%" PRId64, f->v.i);
		break;
	case SDC_FLOAT:
		n = snprintf(buf, buflen, "%.9g", (double)f->v.f);
		break;
	case SDC_DOUBLE:
		n = snprintf(buf, buflen, "%.17g", f->v.d);
		break;
	default:
		return false;
	}
	*key = buf;
	*keylen = (size_t)n;
	return true;
}

bool
sdc_kafka_route_key(const struct sdc_kafka_route *rt,
    const struct sdc_record *r, char *buf, size_t buflen, const void **key,
    size_t *keylen, const char **why)
{
	const struct sdc_field *f;

	*key = NULL;
	*keylen = 0;
	if (!rt->has_key || (f = field_at(r, &rt->key)) == NULL || f->null)
		return true;
	if (scalar_bytes(f, buf, buflen, key, keylen))
		return true;
	*why = "the key field is not a scalar";
	return false;
}

bool
sdc_kafka_route_partition(const struct sdc_kafka_route *rt,
    const struct sdc_record *r, int32_t *partition, const char **why)
{
	const struct sdc_field *f;

	*partition = RD_KAFKA_PARTITION_UA;
	if (!rt->has_partition)
		return true;
	f = field_at(r, &rt->partition);
	if (f == NULL || f->null || f->type < SDC_BYTE || f->type > SDC_LONG) {
		*why = "the partition field is not an integer";
		return false;
	}
	if (f->v.i < 0 || f->v.i > INT32_MAX) {
		*why = "the partition field is out of range";
		return false;
	}
	*partition = (int32_t)f->v.i;
	return true;
}

static void
add_header(rd_kafka_headers_t *h, const struct sdc_attr *a)
{
	rd_kafka_header_add(h, a->key.ptr, (ssize_t)a->key.len, a->value.ptr,
	    (ssize_t)a->value.len);
}

rd_kafka_headers_t *
sdc_kafka_route_headers(const struct sdc_kafka_route *rt,
    const struct sdc_record *r)
{
	rd_kafka_headers_t *h;
	const struct sdc_str *v;
	struct sdc_attr a;
	uint32_t i;

	if (!rt->all_headers && rt->nheader_attrs == 0)
		return NULL;
	h = rd_kafka_headers_new(rt->all_headers ? r->h.nattrs :
	    rt->nheader_attrs);
	if (rt->all_headers) {
		for (i = 0; i < r->h.nattrs; i++)
			add_header(h, &r->h.attrs[i]);
		return h;
	}
	for (i = 0; i < rt->nheader_attrs; i++) {
		if ((v = sdc_record_attr(r, rt->header_attrs[i])) == NULL)
			continue;
		a.key.ptr = rt->header_attrs[i];
		a.key.len = strlen(a.key.ptr);
		a.value = *v;
		add_header(h, &a);
	}
	return h;
}
