/*
 * The kafka destination: each record one Kafka message, produced by
 * librdkafka and counted delivered only in a delivery report without
 * error.  librdkafka retries by itself (the --retry-* policy is its
 * configuration); what fails after them goes downstream as an error
 * record with the payload.  A full producer queue is waited on, never
 * a reason to drop a record.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "kafka-sink.h"
#include "sink.h"
#include "xalloc.h"
#include "banned.h"

#define TOPIC_MAX	256	/* Kafka allows 249 bytes */
#define KEY_TEXT_MAX	64	/* a number's text */
#define METADATA_MS	10000
#define STATISTICS_MS	100	/* how often librdkafka's come */
#define LEADERS_EVERY	10	/* reports, a look at the leaders each */
#define BATCH_MAX	64	/* messages produced at once */
#define BATCH_BYTES	65536	/* of their payloads, at most before one more */
#define STOP_GRACE_S	10.0	/* at close after a stop, before purging */

struct kafka {
	struct sdc_sink		*s;
	const struct sdc_kafka_opts *o;
	rd_kafka_t		*rk;
	struct sdc_kafka_route	 rt;
	rd_kafka_topic_t	*rkt;		/* of the last topic */
	char			 topic[TOPIC_MAX];
	int			 render_each;	/* -1: not known yet */
	unsigned		 unbatched;	/* messages produced alone */
	struct sdc_render	*rd;
	struct {		/* messages rendered, not yet produced */
		rd_kafka_message_t msgs[BATCH_MAX];
		size_t		 offset[BATCH_MAX];	/* in rd's bytes */
		unsigned	 n;
		size_t		 bytes;		/* of rd's, theirs */
	} batch;
	uint64_t		 in_flight;	/* produced, not reported */
	uint64_t		 transmitted;	/* reported, sent at least once */
	int64_t			 retries_seen;
	uint64_t		 statistics;	/* reports of them */
	bool			 troubled;	/* errors: retries may follow */
	bool			 sticky;	/* ours: batches to leaders */
	struct sdc_kafka_leaders leaders;
	struct kafka_msg	*free_msgs;
	double			 now;		/* of this poll's reports; -1 */
	double			 served_at;	/* serve_reports's last */
	struct {			/* deliveries not yet told */
		uint64_t	records, bytes;
		double		latency;
	} told;
};

/*
 * What a message carries back in its delivery report; reused through a
 * free list, as many are in flight at once.
 */
#define MSG_ID_INLINE	48
struct kafka_msg {
	double			 put_at;
	struct kafka_msg	*next;		/* in the free list */
	char			*id;		/* inline, or allocated */
	char			 inline_id[MSG_ID_INLINE];
};

/* "KAFKA_MSG_TIMED_OUT": librdkafka's name of err, as an error code. */
static void
error_code(rd_kafka_resp_err_t err, char *dst, size_t len)
{
	const char *name = rd_kafka_err2name(err);

	snprintf(dst, len, "KAFKA_%s", name + (name[0] == '_'));
}

static void
msg_free(struct kafka *k, struct kafka_msg *km)
{
	if (km->id != km->inline_id)
		free(km->id);
	km->next = k->free_msgs;
	k->free_msgs = km;
}

/* The time of the reports served by one poll: one clock reading. */
static double
report_time(struct kafka *k)
{
	if (k->now < 0)
		k->now = sdc_uptime();
	return k->now;
}

/*
 * Deliveries are told the framework in runs whose latencies are within
 * 6 % of the first's, less than the width of a bucket of its latency
 * histogram: a message set acknowledged at once is a handful of calls,
 * not one per message.
 */
/* How often delivery reports are served while the input is silent. */
#define REPORTS_IDLE_S	0.1

#define LATENCY_RUN	1.06

static void
tell_delivered(struct kafka *k)
{
	if (k->told.records == 0)
		return;
	sdc_sink_delivered(k->s, k->told.records, k->told.bytes,
	    k->told.latency);
	k->told.records = k->told.bytes = 0;
}

static void
delivered(struct kafka *k, size_t bytes, double latency)
{
	if (k->told.records > 0 && (latency > k->told.latency * LATENCY_RUN ||
	    latency * LATENCY_RUN < k->told.latency))
		tell_delivered(k);
	if (k->told.records++ == 0)
		k->told.latency = latency;
	k->told.bytes += bytes;
}

static void
serve_reports(struct kafka *k, int ms)
{
	k->now = -1;
	k->served_at = sdc_uptime();
	rd_kafka_poll(k->rk, ms);
	tell_delivered(k);
}

static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka *k = opaque;
	struct kafka_msg *km = m->_private;
	char code[64];

	(void)rk;
	k->in_flight--;
	if (m->err > 0 || rd_kafka_message_status(m) !=
	    RD_KAFKA_MSG_STATUS_NOT_PERSISTED)
		k->transmitted++;
	if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		delivered(k, m->len, report_time(k) - km->put_at);
	} else {
		k->troubled = true;
		error_code(m->err, code, sizeof(code));
		sdc_sink_failed_raw(k->s, km->id, m->payload, m->len, code,
		    "topic '%s' partition %d: %s", rd_kafka_topic_name(m->rkt),
		    (int)m->partition, rd_kafka_err2str(m->err));
	}
	msg_free(k, km);
}

/*
 * The client's count of messages transmitted: the last "txmsgs" of the
 * statistics, those of the partitions coming before it.  Found without
 * parsing the whole report, which is large and comes ten times a
 * second.
 */
static bool
statistics_txmsgs(const char *json, size_t len, int64_t *txmsgs)
{
	static const char key[] = "\"txmsgs\":";
	const size_t keylen = sizeof(key) - 1;
	size_t i, at;
	int64_t v = 0;

	for (at = len; at >= keylen; at--)
		if (memcmp(json + at - keylen, key, keylen) == 0)
			break;
	if (at < keylen)
		return false;
	for (i = at; i < len && json[i] == ' '; i++)
		continue;
	if (i == len || json[i] < '0' || json[i] > '9')
		return false;
	for (; i < len && json[i] >= '0' && json[i] <= '9' &&
	    v < INT64_MAX / 10 - 9; i++)
		v = v * 10 + (json[i] - '0');
	*txmsgs = v;
	return true;
}

/*
 * Messages resent: librdkafka counts each transmission of a message
 * (txmsgs), so what is beyond one for each message reported, or
 * possibly sent among those in flight, was a retry.  A lower bound
 * while messages are in flight, and the count once all are reported
 * (but for messages that timed out after a retriable error, counted
 * one retry too many).
 */
static int
on_statistics(rd_kafka_t *rk, char *json, size_t len, void *opaque)
{
	struct kafka *k = opaque;
	int64_t txmsgs, retries;

	(void)rk;
	if (k->sticky && (k->leaders.n == 0 ||
	    k->statistics % LEADERS_EVERY == 0))
		sdc_kafka_leaders_update(&k->leaders, json, len);
	k->statistics++;
	if (!statistics_txmsgs(json, len, &txmsgs))
		return 0;
	retries = txmsgs - (int64_t)(k->transmitted + k->in_flight);
	for (; k->retries_seen < retries; k->retries_seen++) {
		sdc_sink_retried(k->s);
		k->troubled = true;
	}
	return 0;
}

static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	struct kafka *k = opaque;
	char fatal[512];

	k->troubled = true;
	if (err == RD_KAFKA_RESP_ERR__FATAL) {
		rd_kafka_fatal_error(rk, fatal, sizeof(fatal));
		sdc_warnx("kafka: fatal: %s", fatal);
		return;
	}
	sdc_warnx("kafka: %s", reason);
}

/*
 * librdkafka's own log: its debug lines (-X debug=...) and critical
 * ones; errors and warnings come once, through on_error.
 */
static void
on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	(void)rk;
	if (level >= 7 || level <= 2)
		sdc_warnx("kafka: %s: %s", fac, buf);
}

static void
check_options(const struct sdc_kafka_opts *o)
{
	if ((o->topic == NULL) == (o->topic_field == NULL))
		sdc_usage_error("kafka: one of --topic and --topic-field is "
		    "needed");
	if (o->brokers == NULL &&
	    sdc_kafka_opts_property(o, "bootstrap.servers") == NULL &&
	    sdc_kafka_opts_property(o, "metadata.broker.list") == NULL &&
	    sdc_kafka_opts_property(o, "test.mock.num.brokers") == NULL)
		sdc_usage_error("kafka: --brokers is needed");
	if (sdc_kafka_partitioner_of(o) == SDC_KAFKA_PART_FIELD &&
	    o->partition_field == NULL)
		sdc_usage_error("kafka: --partitioner=field needs "
		    "--partition-field");
	if (o->partition_field != NULL &&
	    sdc_kafka_partitioner_of(o) != SDC_KAFKA_PART_FIELD)
		sdc_usage_error("kafka: --partition-field goes with "
		    "--partitioner=field");
	if (sdc_kafka_partitioner_of(o) == SDC_KAFKA_PART_KEY &&
	    o->key_field == NULL)
		sdc_usage_error("kafka: --partitioner=key needs --key-field");
}

static rd_kafka_t *
producer_new(struct kafka *k)
{
	rd_kafka_conf_t *conf = sdc_kafka_conf_new(k->o,
	    sdc_sink_retry_policy(k->s), sdc_sink_max_buffer(k->s));
	char err[512];
	rd_kafka_t *rk;

	rd_kafka_conf_set_opaque(conf, k);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_stats_cb(conf, on_statistics);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_log_cb(conf, on_log);
	if ((rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err))) ==
	    NULL)
		sdc_usage_error("kafka: %s", err);
	if (k->o->mock_errors != NULL) {
		sdc_kafka_mock_errors(rk, k->o->mock_errors);
		k->troubled = true;
	}
	return rk;
}

static void
say_topic(const rd_kafka_metadata_topic_t *t)
{
	char leaders[256] = "";
	size_t n = 0;
	int i;

	for (i = 0; i < t->partition_cnt && n < sizeof(leaders) - 16; i++)
		n += (size_t)snprintf(leaders + n, sizeof(leaders) - n, "%s%d",
		    i ? "," : "", (int)t->partitions[i].leader);
	sdc_warnx("kafka: topic '%s': %d partitions, leaders %s", t->topic,
	    t->partition_cnt, leaders);
}

/* --check: what the brokers say of the topic, nothing produced. */
static void
check_metadata(struct kafka *k)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt = NULL;
	rd_kafka_resp_err_t err;

	if (k->rt.topic == NULL)
		rkt = rd_kafka_topic_new(k->rk, k->rt.topic_name, NULL);
	err = rd_kafka_metadata(k->rk, rkt == NULL, rkt, &md, METADATA_MS);
	if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
		sdc_errx(SDC_EXIT_IO, "kafka: no metadata: %s",
		    rd_kafka_err2str(err));
	sdc_warnx("kafka: %d broker%s, the first %s:%d (id %d), %d topic%s "
	    "in the answer", md->broker_cnt, md->broker_cnt == 1 ? "" : "s",
	    md->broker_cnt ? md->brokers[0].host : "-",
	    md->broker_cnt ? md->brokers[0].port : 0,
	    md->broker_cnt ? (int)md->brokers[0].id : -1, md->topic_cnt,
	    md->topic_cnt == 1 ? "" : "s");
	if (rkt == NULL)
		sdc_warnx("kafka: the topic is a template: '%s'",
		    k->rt.topic_name);
	else if (md->topic_cnt == 1 && md->topics[0].err ==
	    RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
		sdc_warnx("kafka: topic '%s' does not exist: made on first use "
		    "only if the brokers create topics", k->rt.topic_name);
	else if (md->topic_cnt == 1 && md->topics[0].err)
		sdc_errx(SDC_EXIT_IO, "kafka: topic '%s': %s",
		    k->rt.topic_name, rd_kafka_err2str(md->topics[0].err));
	else if (md->topic_cnt == 1)
		say_topic(&md->topics[0]);
	rd_kafka_metadata_destroy(md);
	if (rkt != NULL)
		rd_kafka_topic_destroy(rkt);
}

/*
 * Batches of one fixed topic without a key go to partitions of sdc-sink's
 * choosing, unless librdkafka's partitioning is asked for with -X.
 */
static void
sticky_init(struct kafka *k)
{
	k->sticky = k->rt.topic == NULL && !k->rt.has_partition &&
	    sdc_kafka_partitioner_of(k->o) == SDC_KAFKA_PART_STICKY &&
	    sdc_kafka_opts_property(k->o, "partitioner") == NULL &&
	    sdc_kafka_opts_property(k->o, "sticky.partitioning.linger.ms") ==
	    NULL;
	sdc_kafka_leaders_init(&k->leaders, k->rt.topic_name);
}

static void *
kafka_open(struct sdc_sink *s, const void *opts)
{
	struct kafka *k = sdc_xcalloc(1, sizeof(*k));

	k->s = s;
	k->o = opts;
	k->render_each = -1;
	k->now = -1;
	check_options(k->o);
	sdc_kafka_route_init(&k->rt, k->o);
	if (!k->rt.has_key && !k->rt.has_partition &&
	    (k->rt.topic == NULL || !sdc_template_uses_fields(k->rt.topic)))
		sdc_sink_header_only(s);
	sticky_init(k);
	k->rk = producer_new(k);
	if (sdc_sink_checking(s)) {
		check_metadata(k);
		rd_kafka_destroy(k->rk);
		sdc_kafka_leaders_release(&k->leaders);
		sdc_kafka_route_release(&k->rt);
		free(k);
		return NULL;
	}
	return k;
}

static void produce_batch(struct kafka *);

static rd_kafka_topic_t *
topic_of(struct kafka *k, const struct sdc_record *r, const char **why)
{
	char name[TOPIC_MAX];
	size_t n;

	if (k->rt.topic == NULL && k->rkt != NULL)
		return k->rkt;		/* the one fixed topic */
	n = sdc_kafka_route_topic(&k->rt, k->s, r, name, sizeof(name));
	if (n >= sizeof(name) || n == 0) {
		*why = n == 0 ? "an empty topic" : "a topic name too long";
		return NULL;
	}
	if (k->rkt != NULL && strcmp(name, k->topic) == 0)
		return k->rkt;
	produce_batch(k);		/* of the topic going */
	if (k->rkt != NULL)
		rd_kafka_topic_destroy(k->rkt);
	memcpy(k->topic, name, n + 1);
	if ((k->rkt = rd_kafka_topic_new(k->rk, name, NULL)) == NULL)
		*why = rd_kafka_err2str(rd_kafka_last_error());
	return k->rkt;
}

/*
 * Whether the format puts bytes around its records (the record stream's
 * header and end frame, a CSV header), so that each message must be a
 * whole rendering of its own: r rendered twice does not take twice the
 * bytes of once, or the finish adds some.
 */
static bool
format_has_frame(struct kafka *k, struct sdc_record *r)
{
	struct sdc_render *rd = sdc_render_new(k->s);
	size_t once, twice, finished;
	const char *why;
	bool framed = true;

	if (sdc_render_record(rd, r, &why)) {
		sdc_render_bytes(rd, &once);
		if (sdc_render_record(rd, r, &why)) {
			sdc_render_bytes(rd, &twice);
			sdc_render_finish(rd);
			sdc_render_bytes(rd, &finished);
			framed = twice != 2 * once || finished != twice;
		}
	}
	sdc_render_free(rd);
	return framed;
}

/*
 * r rendered after the bytes of the batch: its bytes are those from
 * the batch's on.  A rendering that finds no room left by the batch is
 * tried again once the batch is produced.
 */
static bool
render(struct kafka *k, struct sdc_record *r, const uint8_t **bytes,
    size_t *len, const char **why)
{
	if (k->rd == NULL)
		k->rd = sdc_render_new(k->s);
	if (!sdc_render_record(k->rd, r, why)) {
		if (k->batch.n == 0)
			return false;
		produce_batch(k);
		if (!sdc_render_record(k->rd, r, why))
			return false;
	}
	if (k->render_each)
		sdc_render_finish(k->rd);
	*bytes = sdc_render_bytes(k->rd, len);
	*bytes += k->batch.bytes;
	*len -= k->batch.bytes;
	return true;
}

/*
 * A message is one record, so the newline that ends a line of JSON,
 * CSV or text is left out, as kcat -P leaves it: the message's own
 * bounds delimit it.
 */
static size_t
message_length(const struct kafka *k, const uint8_t *bytes, size_t len)
{
	if (!k->render_each && len > 0 && bytes[len - 1] == '\n')
		len -= len > 1 && bytes[len - 2] == '\r' ? 2 : 1;
	return len;
}

static void
rendered_sent(struct kafka *k, size_t len)
{
	if (k->render_each) {
		sdc_render_free(k->rd);
		k->rd = NULL;
	} else {
		sdc_render_take(k->rd, len);
	}
}

static struct kafka_msg *
msg_new(struct kafka *k, const struct sdc_record *r)
{
	struct kafka_msg *km = k->free_msgs;

	if (km != NULL)
		k->free_msgs = km->next;
	else
		km = sdc_xmalloc(sizeof(*km));
	km->id = r->h.id.len < MSG_ID_INLINE ? km->inline_id :
	    sdc_xmalloc(r->h.id.len + 1);
	memcpy(km->id, r->h.id.ptr, r->h.id.len);
	km->id[r->h.id.len] = '\0';
	return km;
}

/*
 * Produce, waiting while the queue is full (the delivery reports
 * served meanwhile make room); a stop ends the wait.
 */
static rd_kafka_resp_err_t
produce(struct kafka *k, rd_kafka_topic_t *rkt, int32_t partition,
    const void *key, size_t keylen, const uint8_t *bytes, size_t len,
    rd_kafka_headers_t *headers, struct kafka_msg *km)
{
	rd_kafka_resp_err_t err;

	km->put_at = sdc_uptime();
	for (;;) {
		err = rd_kafka_producev(k->rk, RD_KAFKA_V_RKT(rkt),
		    RD_KAFKA_V_PARTITION(partition),
		    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		    RD_KAFKA_V_VALUE((void *)bytes, len),
		    RD_KAFKA_V_KEY(key, keylen),
		    RD_KAFKA_V_HEADERS(headers),
		    RD_KAFKA_V_OPAQUE(km), RD_KAFKA_V_END);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL ||
		    sdc_sink_stopping(k->s))
			return err;
		serve_reports(k, 100);
	}
}

/* A message librdkafka did not take: an error record of its payload. */
static void
refused(struct kafka *k, const rd_kafka_message_t *m)
{
	struct kafka_msg *km = m->_private;
	char code[64];

	error_code(m->err, code, sizeof(code));
	sdc_sink_failed_raw(k->s, km->id, m->payload, m->len, code,
	    "topic '%s': %s", k->topic, rd_kafka_err2str(m->err));
	msg_free(k, km);
}

/*
 * The batch's messages produced at once, in order: those after the
 * first that finds the queue full are all refused so, and are produced
 * again once reports have made room.  Then their bytes are let go, as
 * librdkafka has copied them.
 */
static void
produce_batch(struct kafka *k)
{
	rd_kafka_message_t *m = k->batch.msgs;
	unsigned n = k->batch.n, i, from = 0;
	int32_t partition;
	int flags = RD_KAFKA_MSG_F_COPY |
	    (k->rt.has_partition ? RD_KAFKA_MSG_F_PARTITION : 0);
	const uint8_t *base;
	size_t len;
	double now;

	if (n == 0)
		return;
	partition = k->rt.has_partition ? 0 : k->sticky ?
	    sdc_kafka_leaders_next(&k->leaders) : RD_KAFKA_PARTITION_UA;
	now = sdc_uptime();
	base = sdc_render_bytes(k->rd, &len);
	for (i = 0; i < n; i++) {
		m[i].payload = (void *)(base + k->batch.offset[i]);
		((struct kafka_msg *)m[i]._private)->put_at = now;
	}
	while (from < n) {
		rd_kafka_produce_batch(k->rkt, partition, flags, m + from,
		    (int)(n - from));
		for (i = from; i < n && m[i].err != RD_KAFKA_RESP_ERR__QUEUE_FULL;
		    i++)
			if (m[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
				k->in_flight++;
			else
				refused(k, &m[i]);
		if ((from = i) < n && sdc_sink_stopping(k->s))
			for (; from < n; from++)
				refused(k, &m[from]);
		else if (from < n)
			serve_reports(k, 100);
	}
	sdc_render_take(k->rd, k->batch.bytes);
	k->batch.n = 0;
	k->batch.bytes = 0;
	serve_reports(k, 0);
}

/*
 * Records of one topic without a key or headers, rendered each on its
 * own line, are produced in batches: one call and one clock reading
 * for many messages.  The others go alone, after the batch.
 */
static bool
batchable(const struct kafka *k, const rd_kafka_headers_t *headers)
{
	return !k->render_each && !k->rt.has_key && headers == NULL;
}

static void
batch_add(struct kafka *k, const uint8_t *bytes, size_t len,
    int32_t partition, struct kafka_msg *km)
{
	rd_kafka_message_t *m = &k->batch.msgs[k->batch.n];

	memset(m, 0, sizeof(*m));
	m->len = message_length(k, bytes, len);
	m->partition = partition;
	m->_private = km;
	k->batch.offset[k->batch.n++] = k->batch.bytes;	/* render's */
	k->batch.bytes += len;
	if (k->batch.n == BATCH_MAX || k->batch.bytes >= BATCH_BYTES)
		produce_batch(k);
}

static void
failed(struct kafka *k, struct sdc_record *r, const char *code,
    const char *why)
{
	sdc_sink_failed(k->s, r, code, "%s", why);
}

static void
produce_one(struct kafka *k, struct sdc_record *r, rd_kafka_topic_t *rkt,
    int32_t partition, const void *key, size_t keylen,
    rd_kafka_headers_t *headers)
{
	const char *why = "";
	const uint8_t *bytes;
	size_t len;
	char code[64];
	struct kafka_msg *km;
	rd_kafka_resp_err_t err;

	produce_batch(k);
	if (!render(k, r, &bytes, &len, &why)) {
		if (headers != NULL)
			rd_kafka_headers_destroy(headers);
		failed(k, r, "KAFKA_RENDER", why);
		return;
	}
	km = msg_new(k, r);
	err = produce(k, rkt, partition, key, keylen, bytes,
	    message_length(k, bytes, len), headers, km);
	rendered_sent(k, len);
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
		k->in_flight++;
		if (++k->unbatched % BATCH_MAX == 0)
			serve_reports(k, 0);
		return;
	}
	if (headers != NULL)
		rd_kafka_headers_destroy(headers);
	msg_free(k, km);
	error_code(err, code, sizeof(code));
	failed(k, r, code, rd_kafka_err2str(err));
}

static void
kafka_put(void *state, struct sdc_record *r)
{
	struct kafka *k = state;
	char keybuf[KEY_TEXT_MAX];
	const char *why = "";
	const uint8_t *bytes;
	const void *key;
	size_t len, keylen;
	int32_t partition;
	rd_kafka_topic_t *rkt;
	rd_kafka_headers_t *headers;
	const char *code_why = NULL;

	if (k->render_each < 0)
		k->render_each = format_has_frame(k, r);
	if ((rkt = topic_of(k, r, &why)) == NULL)
		code_why = "KAFKA_TOPIC";
	else if (!sdc_kafka_route_key(&k->rt, r, keybuf, sizeof(keybuf), &key,
	    &keylen, &why))
		code_why = "KAFKA_KEY";
	else if (!sdc_kafka_route_partition(&k->rt, r, &partition, &why))
		code_why = "KAFKA_PARTITION";
	if (code_why != NULL) {
		failed(k, r, code_why, why);
		return;
	}
	headers = sdc_kafka_route_headers(&k->rt, r);
	if (!batchable(k, headers)) {
		produce_one(k, r, rkt, partition, key, keylen, headers);
		return;
	}
	if (!render(k, r, &bytes, &len, &why)) {
		failed(k, r, "KAFKA_RENDER", why);
		return;
	}
	batch_add(k, bytes, len, partition, msg_new(k, r));
}

static void
kafka_flush(void *state)
{
	struct kafka *k = state;

	produce_batch(k);
	serve_reports(k, 0);
}

/*
 * A batch is produced before the input is waited for; while messages
 * are in flight, or the sticky partitioner waits for the statistics to
 * list the leaders, reports are served on a silent input.
 */
static double
kafka_due(void *state)
{
	const struct kafka *k = state;
	double wait;

	if (k->batch.n > 0)
		return 0;		/* produced before waiting for input */
	if (k->in_flight == 0 && !(k->sticky && k->leaders.n == 0))
		return -1;
	wait = k->served_at + REPORTS_IDLE_S - sdc_uptime();
	return wait > 0 ? wait : 0;
}

/*
 * Wait for every delivery report: librdkafka's message timeout bounds
 * the wait.  After a stop, what is still queued and never sent is
 * failed (purged) once a grace period has passed.
 */
static void
drain(struct kafka *k)
{
	double stop_at = -1;
	bool purged = false;

	while (k->in_flight > 0 || rd_kafka_outq_len(k->rk) > 0) {
		k->now = -1;
		rd_kafka_flush(k->rk, 100);
		tell_delivered(k);
		serve_reports(k, 0);
		if (!sdc_sink_stopping(k->s) || purged)
			continue;
		if (stop_at < 0)
			stop_at = sdc_uptime();
		if (sdc_uptime() - stop_at > STOP_GRACE_S) {
			rd_kafka_purge(k->rk, RD_KAFKA_PURGE_F_QUEUE);
			purged = true;
		}
	}
}

/*
 * The retries of the last requests: one more statistics report, when
 * trouble has come to light (an error reported, a delivery failed, a
 * retry in the statistics so far).  A run without is spared the wait,
 * so a resend for a broker's answer in its last tenth of a second
 * would go uncounted.
 */
static void
last_statistics(struct kafka *k)
{
	uint64_t seen = k->statistics;
	double until = sdc_uptime() + 2.0 * STATISTICS_MS / 1000;

	if (!k->troubled)
		return;
	while (k->statistics == seen && sdc_uptime() < until)
		serve_reports(k, STATISTICS_MS / 4);
}

static void
kafka_close(void *state)
{
	struct kafka *k = state;

	struct kafka_msg *km;

	produce_batch(k);
	drain(k);
	last_statistics(k);
	while ((km = k->free_msgs) != NULL) {
		k->free_msgs = km->next;
		free(km);
	}
	if (k->rd != NULL)
		sdc_render_free(k->rd);
	if (k->rkt != NULL)
		rd_kafka_topic_destroy(k->rkt);
	rd_kafka_destroy(k->rk);
	sdc_kafka_leaders_release(&k->leaders);
	sdc_kafka_route_release(&k->rt);
	free(k);
}

const struct sdc_destination sdc_destination_kafka = {
	.name = "kafka",
	.summary = "messages of Kafka topics (librdkafka), counted once the "
	    "brokers acknowledge them",
	.options = sdc_kafka_options,
	.opts_size = sizeof(struct sdc_kafka_opts),
	.opts_init = sdc_kafka_opts_init,
	.opts_release = sdc_kafka_opts_release,
	.open = kafka_open,
	.put = kafka_put,
	.flush = kafka_flush,
	.due = kafka_due,
	.close = kafka_close,
};
