#ifndef SDC_KAFKA_SINK_H
#define SDC_KAFKA_SINK_H
/*
 * The kafka destination of sdc-sink, in parts: its options
 * (kafka-options.c), the librdkafka configuration made of them
 * (kafka-config.c), what a record's message is sent to and with
 * (kafka-message.c: topic, key, partition, headers), the errors a
 * mock cluster is told to inject (kafka-mock.c), the sticky
 * partitioner (kafka-leaders.c) and the producer (kafka.c).  The
 * options own what they hold; secrets are wiped.
 */
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "path.h"
#include "plugin-options.h"
#include "record.h"
#include "retry.h"
#include "secret.h"

enum sdc_kafka_partitioner {
	SDC_KAFKA_PART_DEFAULT,		/* by key with --key-field, else sticky */
	SDC_KAFKA_PART_STICKY,		/* a partition a batch, in turn */
	SDC_KAFKA_PART_ROUND_ROBIN,	/* a partition a message, in turn */
	SDC_KAFKA_PART_KEY,		/* murmur2 of the key, as Java's */
	SDC_KAFKA_PART_FIELD		/* the number in --partition-field */
};

/* One -X KEY=VALUE; a secret's value is in secret, wiped at release. */
struct sdc_kafka_property {
	char			*key;
	char			*value;
	struct sdc_secret	 secret;	/* data NULL: not a secret */
};

struct sdc_kafka_opts {
	const char			*brokers;
	const char			*topic;		/* a name or a template */
	char				*topic_field;	/* as "${/path}" */
	const char			*key_field;
	const char			*partition_field;
	enum sdc_kafka_partitioner	 partitioner;
	bool				 all_headers;
	char				**header_attrs;
	size_t				 nheader_attrs;
	bool				 idempotence;
	struct sdc_kafka_property	*props;
	size_t				 nprops;
	const char			*mock_errors;
};

extern const struct sdc_plugin_option sdc_kafka_options[];
void	sdc_kafka_opts_init(void *opts);
void	sdc_kafka_opts_release(void *opts);
/* The -X value of key, or NULL. */
const char *sdc_kafka_opts_property(const struct sdc_kafka_opts *o,
	    const char *key);

/*
 * The producer's configuration: brokers, idempotence, the --retry-*
 * policy as librdkafka's retries and message timeout, --max-buffer as
 * its queue's bound, then every -X (which wins).  A property librdkafka
 * rejects is a usage error.
 */
rd_kafka_conf_t *sdc_kafka_conf_new(const struct sdc_kafka_opts *o,
	    const struct sdc_retry_policy *p, size_t max_buffer);
/* The partitioner asked for, or the one the other options imply. */
enum sdc_kafka_partitioner sdc_kafka_partitioner_of(
	    const struct sdc_kafka_opts *o);
/* Whether a property holds a secret, so never a plain argv value. */
bool	sdc_kafka_property_secret(const char *key);

/* What a record's message goes to and carries, parsed from the options. */
struct sdc_sink;
struct sdc_template;
struct sdc_kafka_route {
	struct sdc_template	*topic;		/* NULL: the fixed name */
	const char		*topic_name;
	bool			 has_key, has_partition;
	struct sdc_path		 key, partition;
	bool			 all_headers;
	char *const		*header_attrs;
	size_t			 nheader_attrs;
};

void	sdc_kafka_route_init(struct sdc_kafka_route *rt,
	    const struct sdc_kafka_opts *o);
void	sdc_kafka_route_release(struct sdc_kafka_route *rt);
/* The topic of r in dst (a template's expansion): its length. */
size_t	sdc_kafka_route_topic(const struct sdc_kafka_route *rt,
	    struct sdc_sink *s, const struct sdc_record *r, char *dst,
	    size_t len);
/*
 * The key of r (its field's bytes or text) in *key, *keylen, using buf
 * for numbers: false when the field is there but no scalar (reason in
 * *why).  No field: a NULL key.
 */
bool	sdc_kafka_route_key(const struct sdc_kafka_route *rt,
	    const struct sdc_record *r, char *buf, size_t buflen,
	    const void **key, size_t *keylen, const char **why);
/* The partition of r's field (-1: none asked); false when not a number. */
bool	sdc_kafka_route_partition(const struct sdc_kafka_route *rt,
	    const struct sdc_record *r, int32_t *partition, const char **why);
/* The Kafka headers of r's attributes, or NULL when none are asked. */
rd_kafka_headers_t *sdc_kafka_route_headers(const struct sdc_kafka_route *rt,
	    const struct sdc_record *r);

/*
 * The sticky partitioner of sdc-sink (kafka-leaders.c): the partitions
 * of topic with a leader, from librdkafka's statistics, and the one for
 * the next batch (RD_KAFKA_PARTITION_UA while none is known).
 */
struct sdc_kafka_leaders {
	const char	*topic;
	int32_t		*ids;		/* sorted */
	size_t		 n, cap;
	uint32_t	 turn;		/* batches dealt */
};

void	sdc_kafka_leaders_init(struct sdc_kafka_leaders *l, const char *topic);
void	sdc_kafka_leaders_release(struct sdc_kafka_leaders *l);
/* The partitions a statistics report (JSON) lists with a leader. */
void	sdc_kafka_leaders_update(struct sdc_kafka_leaders *l,
	    const char *json, size_t len);
int32_t	sdc_kafka_leaders_next(struct sdc_kafka_leaders *l);

/*
 * --mock-errors: with librdkafka's mock cluster (-X
 * test.mock.num.brokers=N), make its next Produce requests fail with
 * the Kafka errors listed ("NOT_ENOUGH_REPLICAS*3,MESSAGE_TOO_LARGE").
 */
void	sdc_kafka_mock_errors(rd_kafka_t *rk, const char *list);
/* A usage error unless list parses. */
void	sdc_kafka_mock_errors_check(const char *opt, const char *list);

#endif
