/* The librdkafka configuration of the kafka destination's producer. */
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "kafka-sink.h"
#include "banned.h"

/* The properties whose values are passwords or keys. */
static const char *const secret_properties[] = {
	"sasl.password", "ssl.key.password", "ssl.keystore.password",
	"ssl.key.pem", "ssl_key", "sasl.oauthbearer.client.secret",
	"sasl.oauthbearer.config", NULL
};

bool
sdc_kafka_property_secret(const char *key)
{
	size_t i;

	for (i = 0; secret_properties[i] != NULL; i++)
		if (strcmp(key, secret_properties[i]) == 0)
			return true;
	return false;
}

static void
conf_set(rd_kafka_conf_t *conf, const char *key, const char *value,
    bool secret)
{
	char err[512];

	if (rd_kafka_conf_set(conf, key, value, err, sizeof(err)) !=
	    RD_KAFKA_CONF_OK)
		sdc_usage_error("-X %s=%s: %s", key, secret ? "..." : value,
		    err);
}

static void
conf_set_number(rd_kafka_conf_t *conf, const char *key, double v)
{
	char text[32];

	snprintf(text, sizeof(text), "%.0f", v);
	conf_set(conf, key, text, false);
}

/*
 * librdkafka retries by itself, so the --retry-* policy becomes its
 * settings: the total time bounds a message's life in the producer
 * (message.timeout.ms, 0 for none), the attempts its resends, the
 * first wait its backoff.
 */
static void
conf_retries(rd_kafka_conf_t *conf, const struct sdc_retry_policy *p)
{
	double ms = p->max_elapsed * 1000;

	conf_set_number(conf, "message.timeout.ms", ms > INT32_MAX ?
	    INT32_MAX : ms);
	conf_set_number(conf, "message.send.max.retries",
	    p->max_attempts == 0 ? INT32_MAX : p->max_attempts - 1);
	ms = p->initial * 1000;
	conf_set_number(conf, "retry.backoff.ms", ms < 1 ? 1 : ms > 300000 ?
	    300000 : ms);
}

static void
conf_buffer(rd_kafka_conf_t *conf, size_t max_buffer)
{
	size_t kb = max_buffer / 1024;

	conf_set_number(conf, "queue.buffering.max.kbytes", kb < 1 ? 1 :
	    kb > INT32_MAX ? INT32_MAX : (double)kb);
}

/*
 * Round robin over the topic's partitions, librdkafka having none of
 * its own.  A partition without a leader for now keeps its share, which
 * waits in its queue for one.
 */
static int32_t
round_robin(const rd_kafka_topic_t *rkt, const void *key, size_t keylen,
    int32_t partitions, void *rkt_opaque, void *msg_opaque)
{
	static atomic_uint next;

	(void)rkt, (void)key, (void)keylen, (void)rkt_opaque, (void)msg_opaque;
	return (int32_t)(atomic_fetch_add(&next, 1) % (unsigned)partitions);
}

static void
conf_partitioner(rd_kafka_conf_t *conf, enum sdc_kafka_partitioner how)
{
	rd_kafka_topic_conf_t *tconf = rd_kafka_conf_get_default_topic_conf(
	    conf);
	char err[256];
	bool made = tconf == NULL;

	if (made)
		tconf = rd_kafka_topic_conf_new();
	if (how == SDC_KAFKA_PART_ROUND_ROBIN)
		rd_kafka_topic_conf_set_partitioner_cb(tconf, round_robin);
	else if (how == SDC_KAFKA_PART_KEY && rd_kafka_topic_conf_set(tconf,
	    "partitioner", "murmur2_random", err, sizeof(err)) !=
	    RD_KAFKA_CONF_OK)
		sdc_usage_error("partitioner: %s", err);
	if (made)
		rd_kafka_conf_set_default_topic_conf(conf, tconf);
}

enum sdc_kafka_partitioner
sdc_kafka_partitioner_of(const struct sdc_kafka_opts *o)
{
	if (o->partitioner != SDC_KAFKA_PART_DEFAULT)
		return o->partitioner;
	if (o->partition_field != NULL)
		return SDC_KAFKA_PART_FIELD;
	return o->key_field != NULL ? SDC_KAFKA_PART_KEY :
	    SDC_KAFKA_PART_STICKY;
}

rd_kafka_conf_t *
sdc_kafka_conf_new(const struct sdc_kafka_opts *o,
    const struct sdc_retry_policy *p, size_t max_buffer)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	const struct sdc_kafka_property *x;
	size_t i;

	if (o->brokers != NULL)
		conf_set(conf, "bootstrap.servers", o->brokers, false);
	conf_set(conf, "enable.idempotence", o->idempotence ? "true" :
	    "false", false);
	conf_retries(conf, p);
	conf_buffer(conf, max_buffer);
	conf_set(conf, "statistics.interval.ms", "100", false);
	/*
	 * Else librdkafka gives keyless messages to one partition for a
	 * while (sticky.partitioning.linger.ms), whatever the partitioner;
	 * that is the sticky partitioner, librdkafka's own for them.
	 */
	if (sdc_kafka_partitioner_of(o) == SDC_KAFKA_PART_ROUND_ROBIN)
		conf_set(conf, "sticky.partitioning.linger.ms", "0", false);
	for (i = 0; i < o->nprops; i++) {
		x = &o->props[i];
		if (x->secret.data != NULL)
			conf_set(conf, x->key, (const char *)x->secret.data,
			    true);
		else
			conf_set(conf, x->key, x->value, false);
	}
	conf_partitioner(conf, sdc_kafka_partitioner_of(o));
	return conf;
}
