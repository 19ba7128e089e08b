/*
 * The partitions of one topic that have a leader, as librdkafka's
 * statistics tell, and the sticky partitioner over them: batches of
 * messages without a key dealt to one partition after another, in
 * runs, each batch enqueued on its partition at once.  librdkafka's
 * own sticky partitioner chooses a partition for every message (two
 * clock readings and a partition lock each), which is most of what
 * producing a small message costs the caller.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "kafka-sink.h"
#include "xalloc.h"
#include "banned.h"

#define RUN_BATCHES	16	/* to one partition before the next */

void
sdc_kafka_leaders_init(struct sdc_kafka_leaders *l, const char *topic)
{
	l->topic = topic;
	l->ids = NULL;
	l->n = l->cap = 0;
	l->turn = arc4random_uniform(1024) * RUN_BATCHES;
}

void
sdc_kafka_leaders_release(struct sdc_kafka_leaders *l)
{
	free(l->ids);
	l->ids = NULL;
	l->n = l->cap = 0;
}

static int
by_id(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

/* A partition of the report that is known and has a leader: its id. */
static bool
led_partition(json_t *p, int32_t *id)
{
	json_t *part = json_object_get(p, "partition");
	json_t *leader = json_object_get(p, "leader");
	json_int_t v;

	if (!json_is_integer(part) || !json_is_integer(leader) ||
	    json_is_true(json_object_get(p, "unknown")))
		return false;
	v = json_integer_value(part);
	if (v < 0 || v > INT32_MAX || json_integer_value(leader) < 0)
		return false;
	*id = (int32_t)v;
	return true;
}

static void
add_id(struct sdc_kafka_leaders *l, int32_t id)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->ids = sdc_xreallocarray(l->ids, l->cap, sizeof(*l->ids));
	}
	l->ids[l->n++] = id;
}

void
sdc_kafka_leaders_update(struct sdc_kafka_leaders *l, const char *json,
    size_t len)
{
	json_t *root = json_loadb(json, len, 0, NULL), *parts, *p;
	const char *name;
	int32_t id;

	parts = json_object_get(json_object_get(json_object_get(root,
	    "topics"), l->topic), "partitions");
	if (json_is_object(parts)) {
		l->n = 0;
		json_object_foreach(parts, name, p)
			if (led_partition(p, &id))
				add_id(l, id);
		if (l->n > 1)
			qsort(l->ids, l->n, sizeof(*l->ids), by_id);
	}
	json_decref(root);
}

int32_t
sdc_kafka_leaders_next(struct sdc_kafka_leaders *l)
{
	if (l->n == 0)
		return RD_KAFKA_PARTITION_UA;
	return l->ids[l->turn++ / RUN_BATCHES % l->n];
}
