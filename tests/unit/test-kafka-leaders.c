/*
 * The kafka destination's sticky partitioner: the partitions it deals
 * batches to are those a statistics report of librdkafka's (their
 * layout as librdkafka 2.0 writes them) lists with a leader, in runs of
 * 16 batches, in turn; none known, librdkafka's own partitioning.
 */
#include <string.h>

#include "kafka-sink.h"
#include "tap.h"

/* A report's topics, trimmed: the partition fields the parser reads. */
static const char report[] =
    "{ \"name\": \"rdkafka#producer-1\", \"type\": \"producer\", "
    "\"brokers\":{ \"127.0.0.1:9092/1\": { \"toppars\":{ \"t-2\": "
    "{ \"topic\":\"t\", \"partition\":2 } } } }, "
    "\"topics\":{ \"other\": { \"topic\":\"other\", \"partitions\":{ "
    "\"7\": { \"partition\":7, \"leader\":1, \"unknown\":false } } }, "
    "\"t\": { \"topic\":\"t\", \"partitions\":{ "
    "\"2\": { \"partition\":2, \"broker\":1, \"leader\":1, "
    "\"desired\":false, \"unknown\":false, \"msgq_cnt\":0 }, "
    "\"0\": { \"partition\":0, \"broker\":1, \"leader\":1, "
    "\"desired\":false, \"unknown\":false }, "
    "\"1\": { \"partition\":1, \"broker\":-1, \"leader\":-1, "
    "\"desired\":false, \"unknown\":false }, "
    "\"5\": { \"partition\":5, \"broker\":-1, \"leader\":3, "
    "\"desired\":true, \"unknown\":true }, "
    "\"3\": { \"partition\":3, \"broker\":2, \"leader\":2, "
    "\"desired\":false, \"unknown\":false }, "
    "\"-1\": { \"partition\":-1, \"broker\":-1, \"leader\":-1, "
    "\"desired\":false, \"unknown\":false, \"msgq_cnt\":12 } } } }, "
    "\"txmsgs\":0 }";

static const char ua_only[] =
    "{ \"topics\":{ \"t\": { \"topic\":\"t\", \"partitions\":{ "
    "\"-1\": { \"partition\":-1, \"leader\":-1, \"unknown\":false } } } } }";

static void
update(struct sdc_kafka_leaders *l, const char *json)
{
	sdc_kafka_leaders_update(l, json, strlen(json));
}

static void
test_leaders(void)
{
	struct sdc_kafka_leaders l;

	sdc_kafka_leaders_init(&l, "t");
	is_int(sdc_kafka_leaders_next(&l), RD_KAFKA_PARTITION_UA,
	    "no report yet: librdkafka partitions");
	update(&l, ua_only);
	is_int(l.n, 0, "a topic without its metadata: none known");
	update(&l, report);
	is_int(l.n, 3, "the partitions with a leader, not one without, "
	    "one unknown, the unassigned one or another topic's");
	ok(l.n == 3 && l.ids[0] == 0 && l.ids[1] == 2 && l.ids[2] == 3,
	    "in order of their ids");
	update(&l, "{ \"topics\": ");
	is_int(l.n, 3, "a report that does not parse leaves them");
	update(&l, "{ \"topics\":{ \"other\": {} } }");
	is_int(l.n, 3, "a report without the topic leaves them");
	update(&l, ua_only);
	is_int(sdc_kafka_leaders_next(&l), RD_KAFKA_PARTITION_UA,
	    "leaders gone: librdkafka partitions again");
	sdc_kafka_leaders_release(&l);
}

static void
test_runs(void)
{
	struct sdc_kafka_leaders l;
	int32_t first, p, runs = 0, changes = 0, bad = 0;
	int seen[4] = { 0 };

	sdc_kafka_leaders_init(&l, "t");
	update(&l, report);
	first = p = sdc_kafka_leaders_next(&l);
	seen[first]++;
	for (int batch = 1; batch < 16 * 9; batch++) {
		int32_t q = sdc_kafka_leaders_next(&l);

		bad += q != 0 && q != 2 && q != 3;
		if (q >= 0 && q < 4)
			seen[q]++;
		if (q != p) {
			changes++;
			runs += batch % 16 == 0;
			/* in turn: 0, 2, 3, 0, ... */
			bad += !((p == 0 && q == 2) || (p == 2 && q == 3) ||
			    (p == 3 && q == 0));
		}
		p = q;
	}
	is_int(bad, 0, "only led partitions, each followed by the next");
	ok(changes == 8 && runs == 8, "a new partition every 16 batches "
	    "(%d changes, %d on a run's bound)", changes, runs);
	ok(seen[0] == 48 && seen[2] == 48 && seen[3] == 48,
	    "each gets an even share over whole turns");
	sdc_kafka_leaders_release(&l);
}

int
main(void)
{
	test_leaders();
	test_runs();
	return tap_done();
}
