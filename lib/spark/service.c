/*
 * The service of the cluster mode: one Spark driver, the batches of
 * many producers.  One poll loop watches the listening socket, the
 * links and the driver: batches come in while the last union batch is
 * in Spark, and results go out without waiting for slow producers,
 * each link's bytes bounded both ways.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cluster.h"
#include "diag.h"
#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define MAX_LINKS		256
#define HANDSHAKE_SECONDS	10	/* for a producer to prove itself */
#define SDC_STRINGIFY(x)	SDC_STRINGIFY_(x)
#define SDC_STRINGIFY_(x)	#x
#define STOP_FLUSH_SECONDS	10	/* for the last results to go out */
#define POLL_MAX_MS		200	/* a signal never waits longer */
/* What may wait for a link each way, and go to Spark at once. */
#define LINK_MAX_BYTES		(2 * (size_t)SDC_SPARK_MAX_BATCH_BYTES)
#define UNION_MAX_BYTES		(2 * (size_t)SDC_SPARK_MAX_BATCH_BYTES)

enum link_state {
	LINK_HELLO,	/* waiting for the producer's hello */
	LINK_PROOF,	/* for its proof */
	LINK_UP,	/* record streams both ways */
	LINK_CLOSING,	/* our last bytes go out, then it closes */
	LINK_GONE	/* closed; kept while its batches are in Spark */
};

struct link {
	unsigned long		 id;		/* the connection number */
	char			 tag[24];	/* id, the attribute's value */
	char			 peer[SDC_NET_NAME_LEN];
	char			 name[SDC_NET_NAME_LEN + 40];
	int			 fd;
	enum link_state		 state;
	bool			 ended;		/* its stream ended whole */
	double			 deadline;	/* of the handshake */
	uint8_t			 nonce[SDC_SPARK_NONCE_LEN];
	uint8_t			 peer_nonce[SDC_SPARK_NONCE_LEN];
	uint8_t			 hs[SDC_SPARK_HELLO_LEN];
	size_t			 hs_len, hs_want;
	struct sdc_frame_reader	 in;		/* open from LINK_UP */
	bool			 in_open;
	struct sdc_buf		 receiving;	/* the batch coming, tagged */
	unsigned long		 receiving_records;
	struct sdc_buf		 waiting;	/* whole batches, tagged */
	unsigned long		 waiting_records, waiting_batches;
	double			 waiting_since;
	unsigned long		 spark_batches;	/* in the union batch */
	unsigned long		 spark_records;
	uint64_t		 discarded;	/* results for it, gone */
	struct sdc_buf		 out;
	size_t			 out_at;	/* sent of out */
	uint64_t		 out_frames;
};

struct service {
	struct sdc_run				*run;
	const struct sdc_spark_eval_options	*o;
	const struct sdc_secret		*secret;
	struct sdc_spark_bridge			 bridge;
	bool					 started;
	int					 listen_fd;
	char					 where[SDC_NET_NAME_LEN];
	struct link				**links;
	size_t					 nlinks, cap_links;
	unsigned long				 last_id;
	struct sdc_buf				 batch;	/* being sent */
	bool					 in_flight;
	bool					 failed;	/* the batch */
	struct sdc_buf				 failure;	/* its frame */
	struct pollfd				*pfds;
	struct link				**pfd_links;
	size_t					 cap_pfds;
	struct sdc_record			 scratch;
	size_t					 max_payload;	/* links */
	bool					 stopping;
};

static void	close_link(struct link *);

/* ---------------------------------------------------------------- links */

static void
say(struct service *s, const char *fmt, ...) __attribute__((format(printf,
    2, 3)));

/* What only --verbose shows: links coming and going as they should. */
static void
say(struct service *s, const char *fmt, ...)
{
	va_list ap;

	if (!s->o->spark.verbose)
		return;
	va_start(ap, fmt);
	sdc_vwarnx(fmt, ap);
	va_end(ap);
}

static bool
link_reads(const struct link *l)
{
	return l->state <= LINK_UP && !l->ended;
}

static const char *
plural(unsigned long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The link failed or broke the protocol: drop it and what it sent. */
static void
lost(struct service *s, struct link *l, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
lost(struct service *s, struct link *l, const char *fmt, ...)
{
	unsigned long batches = l->waiting_batches, records =
	    l->waiting_records + l->receiving_records;
	va_list ap;

	va_start(ap, fmt);
	sdc_vwarnx(fmt, ap);
	va_end(ap);
	if (l->receiving_records > 0)
		batches++;
	if (records > 0)
		sdc_warnx("%s: disconnected, %lu %s of %lu %s dropped", l->name,
		    batches, plural(batches, "batch", "batches"), records,
		    plural(records, "record", "records"));
	else
		sdc_warnx("%s: disconnected", l->name);
	close_link(l);
}

static void
refuse(struct service *s, struct link *l, const char *why)
{
	sdc_warnx("refused %s: %s", l->peer, why);
	close_link(l);
}

static void
close_link(struct link *l)
{
	if (l->state == LINK_GONE)
		return;
	if (l->in_open)
		sdc_frame_reader_close(&l->in);
	else
		close(l->fd);
	l->in_open = false;
	l->fd = -1;
	l->state = LINK_GONE;
	sdc_buf_release(&l->receiving);
	sdc_buf_release(&l->waiting);
	sdc_buf_release(&l->out);
	l->receiving_records = l->waiting_records = l->waiting_batches = 0;
	l->out_at = 0;
}

static void
free_link(struct link *l)
{
	free(l);
}

static void
not_reading(struct service *s, struct link *l)
{
	lost(s, l, "%s: does not read its results, %zu MiB waiting", l->name,
	    (l->out.len - l->out_at) >> 20);
}

/* Queue bytes for the link; one that does not read is dropped. */
static void
queue(struct service *s, struct link *l, const void *p, size_t n)
{
	if (l->state != LINK_GONE && !sdc_buf_append(&l->out, p, n))
		not_reading(s, l);
}

static void
queue_frame(struct service *s, struct link *l, uint8_t kind,
    const void *payload, size_t len)
{
	if (l->state == LINK_GONE)
		return;
	if (!sdc_wire_frame(&l->out, kind, payload, len)) {
		not_reading(s, l);
		return;
	}
	l->out_frames++;
}

/* Write what the socket takes now. */
static void
flush_link(struct service *s, struct link *l)
{
	while (l->state != LINK_GONE && l->out_at < l->out.len) {
		ssize_t w = send(l->fd, l->out.data + l->out_at,
		    l->out.len - l->out_at, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w < 0) {
			lost(s, l, "%s: %s", l->name, strerror(errno));
			return;
		}
		l->out_at += (size_t)w;
	}
	if (l->state == LINK_GONE)
		return;
	sdc_buf_reset(&l->out);
	l->out_at = 0;
	if (l->state == LINK_CLOSING) {
		say(s, "%s: disconnected", l->name);
		close_link(l);
	}
}

/* The end of our stream to the link, after its last results. */
static void
end_stream(struct service *s, struct link *l, bool stopping)
{
	uint8_t count[SDC_VARINT_MAX];
	struct sdc_record *r = &s->scratch;
	const char *reason;

	if (stopping) {
		sdc_run_new_record(s->run, r, "", 0);
		sdc_record_make_event(r, SDC_SPARK_STOPPING_EVENT, 1);
		if (!sdc_wire_encode(&l->out, r, s->max_payload, &reason)) {
			not_reading(s, l);
			return;
		}
		l->out_frames++;
	}
	queue_frame(s, l, SDC_KIND_END, count, sdc_varint_put(count,
	    l->out_frames));
	if (l->state != LINK_GONE)
		l->state = LINK_CLOSING;
}

/* A link whose stream ended is closed once nothing of it is in Spark. */
static void
close_if_done(struct service *s, struct link *l)
{
	if (l->state == LINK_UP && l->ended && l->waiting_batches == 0 &&
	    l->spark_batches == 0)
		end_stream(s, l, false);
}

/* ---------------------------------------------------------- handshake */

static void
accept_link(struct service *s, int fd)
{
	struct link *l = sdc_xcalloc(1, sizeof(*l));
	uint8_t hello[SDC_SPARK_HELLO_LEN];
	size_t max = LINK_MAX_BYTES + s->max_payload + SDC_FRAME_HEADER_LEN;

	l->fd = fd;
	l->id = ++s->last_id;
	snprintf(l->tag, sizeof l->tag, "%lu", l->id);
	sdc_net_peer_name(fd, l->peer, sizeof l->peer);
	snprintf(l->name, sizeof l->name, "producer %lu (%s)", l->id,
	    l->peer);
	sdc_buf_init(&l->receiving, max);
	sdc_buf_init(&l->waiting, max);
	sdc_buf_init(&l->out, max);
	l->state = LINK_HELLO;
	l->hs_want = SDC_SPARK_HELLO_LEN;
	l->deadline = sdc_uptime() + HANDSHAKE_SECONDS;
	if (s->nlinks == s->cap_links) {
		s->cap_links = s->cap_links ? s->cap_links * 2 : 8;
		s->links = sdc_xreallocarray(s->links, s->cap_links,
		    sizeof(*s->links));
	}
	s->links[s->nlinks++] = l;
	if (!sdc_net_set_nonblocking(fd, true)) {
		refuse(s, l, strerror(errno));
		return;
	}
	if (s->nlinks > MAX_LINKS) {
		refuse(s, l, "too many producers");
		return;
	}
	sdc_spark_auth_hello(hello, l->nonce, SDC_SPARK_ROLE_SERVICE);
	queue(s, l, hello, sizeof hello);
	flush_link(s, l);
}

static void
accept_links(struct service *s)
{
	int fd;

	while ((fd = sdc_net_accept(s->listen_fd)) >= 0)
		accept_link(s, fd);
	if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
	    errno != ECONNABORTED)
		sdc_warn("%s: accept", s->where);
}

/* Both proofs right: the record streams begin. */
static void
link_up(struct service *s, struct link *l)
{
	uint8_t proof[SDC_SPARK_PROOF_LEN];

	sdc_spark_auth_prove(s->secret, l->peer_nonce, SDC_SPARK_ROLE_SERVICE,
	    proof);
	queue(s, l, proof, sizeof proof);
	if (l->state == LINK_GONE)
		return;
	if (!sdc_buf_reserve(&l->out, SDC_STREAM_HEADER_LEN)) {
		not_reading(s, l);
		return;
	}
	sdc_wire_stream_header(&l->out);
	sdc_frame_reader_open_fd(&l->in, l->fd, l->name, s->max_payload);
	l->in_open = true;
	l->state = LINK_UP;
	say(s, "%s: connected", l->name);
	flush_link(s, l);
}

static void
handshake_step(struct service *s, struct link *l)
{
	const char *bad;

	if (l->state == LINK_HELLO) {
		if ((bad = sdc_spark_auth_check_hello(l->hs,
		    SDC_SPARK_ROLE_PRODUCER, l->peer_nonce)) != NULL) {
			refuse(s, l, bad);
			return;
		}
		l->state = LINK_PROOF;
		l->hs_len = 0;
		l->hs_want = SDC_SPARK_PROOF_LEN;
		return;
	}
	if (!sdc_spark_auth_verify(s->secret, l->nonce,
	    SDC_SPARK_ROLE_PRODUCER, l->hs)) {
		refuse(s, l, "authentication failed (wrong secret)");
		return;
	}
	link_up(s, l);
}

/* Only the bytes of the handshake: the stream after it is the reader's. */
static void
read_handshake(struct service *s, struct link *l)
{
	ssize_t n = read(l->fd, l->hs + l->hs_len, l->hs_want - l->hs_len);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n < 0) {
		refuse(s, l, strerror(errno));
		return;
	}
	if (n == 0) {
		refuse(s, l, "closed the connection during the handshake");
		return;
	}
	l->hs_len += (size_t)n;
	if (l->hs_len == l->hs_want)
		handshake_step(s, l);
}

/* ---------------------------------------------------- batches coming in */

/* A data record of the link's batch, tagged with its producer. */
static void
take_record(struct service *s, struct link *l, const struct sdc_frame *f)
{
	struct sdc_record *r = &s->scratch;
	const char *reason;

	if (sdc_wire_decode(r, SDC_KIND_DATA, f->payload, f->payload_len,
	    &reason) != 0) {
		lost(s, l, "%s: byte %llu: bad record: %s", l->name,
		    (unsigned long long)f->offset, reason);
		return;
	}
	sdc_record_set_attr(r, SDC_SPARK_PRODUCER_ATTR, l->tag);
	if (l->receiving.len + l->waiting.len + f->size + 64 > LINK_MAX_BYTES) {
		lost(s, l, "%s: sends more than %zu MiB ahead", l->name,
		    LINK_MAX_BYTES >> 20);
		return;
	}
	if (!sdc_wire_encode(&l->receiving, r, s->max_payload, &reason)) {
		lost(s, l, "%s: byte %llu: %s", l->name,
		    (unsigned long long)f->offset, reason);
		return;
	}
	l->receiving_records++;
	s->run->n.in++;
}

/* The batch is whole: it waits for the next union batch. */
static void
take_batch(struct service *s, struct link *l)
{
	if (l->waiting_batches == 0) {
		struct sdc_buf t = l->waiting;

		l->waiting = l->receiving;
		l->receiving = t;
		l->waiting_since = sdc_uptime();
	} else if (!sdc_buf_append(&l->waiting, l->receiving.data,
	    l->receiving.len)) {
		lost(s, l, "%s: sends more than %zu MiB ahead", l->name,
		    LINK_MAX_BYTES >> 20);
		return;
	}
	sdc_buf_reset(&l->receiving);
	l->waiting_batches++;
	l->waiting_records += l->receiving_records;
	l->receiving_records = 0;
}

static void
take_frame(struct service *s, struct link *l, const struct sdc_frame *f)
{
	s->run->n.bytes_in += f->size;
	if (f->kind == SDC_KIND_DATA)
		take_record(s, l, f);
	else if (f->kind == SDC_KIND_BATCH)
		take_batch(s, l);
	else
		lost(s, l, "%s: byte %llu: a frame of kind %u (a producer "
		    "sends data and batch frames)", l->name,
		    (unsigned long long)f->offset, f->kind);
}

/* Its stream ended whole: what it sent still goes through Spark. */
static void
stream_ended(struct service *s, struct link *l)
{
	if (l->receiving_records > 0) {
		lost(s, l, "%s: its stream ended inside a batch", l->name);
		return;
	}
	l->ended = true;
	close_if_done(s, l);
	flush_link(s, l);
}

static void
read_stream(struct service *s, struct link *l)
{
	enum sdc_read_status st;
	struct sdc_frame f;

	if (sdc_frame_reader_pump(&l->in) != SDC_READ_FRAME) {
		lost(s, l, "%s", l->in.err);
		return;
	}
	while (link_reads(l) && sdc_frame_reader_ready(&l->in)) {
		st = sdc_frame_reader_next(&l->in, &f);
		if (st == SDC_READ_FRAME)
			take_frame(s, l, &f);
		else if (st == SDC_READ_EOF)
			stream_ended(s, l);
		else
			lost(s, l, "%s", l->in.err);
	}
}

static void
read_link(struct service *s, struct link *l)
{
	if (l->state == LINK_UP)
		read_stream(s, l);
	else
		read_handshake(s, l);
}

/* ------------------------------------------------------ the union batch */

static int
by_waiting_since(const void *a, const void *b)
{
	const struct link *x = *(struct link *const *)a;
	const struct link *y = *(struct link *const *)b;

	return (x->waiting_since > y->waiting_since) -
	    (x->waiting_since < y->waiting_since);
}

static size_t
links_waiting(struct service *s, struct link **out)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nlinks; i++)
		if (s->links[i]->waiting_batches > 0)
			out[n++] = s->links[i];
	qsort(out, n, sizeof(*out), by_waiting_since);
	return n;
}

static bool
union_due(struct service *s)
{
	unsigned long records = 0;
	size_t bytes = 0;
	double first = 0;
	bool any = false;

	if (s->in_flight)
		return false;
	for (size_t i = 0; i < s->nlinks; i++) {
		struct link *l = s->links[i];

		if (l->waiting_batches == 0)
			continue;
		if (!any || l->waiting_since < first)
			first = l->waiting_since;
		any = true;
		records += l->waiting_records;
		bytes += l->waiting.len;
	}
	return any && (s->stopping || s->o->batch_seconds <= 0 ||
	    records >= s->o->batch_size ||
	    bytes >= SDC_SPARK_MAX_BATCH_BYTES ||
	    sdc_uptime() >= first + s->o->batch_seconds);
}

/* The batches waiting, oldest first, as one batch: one RDD. */
static void
send_union(struct service *s)
{
	struct link **w = sdc_xreallocarray(NULL, s->nlinks + 1, sizeof(*w));
	size_t n = links_waiting(s, w);

	for (size_t i = 0; i < n; i++) {
		struct link *l = w[i];

		if (s->batch.len > 0 &&
		    s->batch.len + l->waiting.len > UNION_MAX_BYTES)
			break;
		if (!sdc_buf_append(&s->batch, l->waiting.data,
		    l->waiting.len))
			sdc_errx(SDC_EXIT_IO, "out of memory for a batch");
		l->spark_batches = l->waiting_batches;
		l->spark_records = l->waiting_records;
		l->waiting_batches = l->waiting_records = 0;
		sdc_buf_reset(&l->waiting);
	}
	free(w);
	s->in_flight = true;
	s->failed = false;
	sdc_spark_bridge_send(&s->bridge, s->batch.data, s->batch.len);
	sdc_buf_reset(&s->batch);
}

static struct link *
link_of(struct service *s, const struct sdc_record *r)
{
	const struct sdc_str *tag = sdc_record_attr(r, SDC_SPARK_PRODUCER_ATTR);

	if (tag == NULL)
		return NULL;
	for (size_t i = 0; i < s->nlinks; i++) {
		struct link *l = s->links[i];

		if (l->spark_batches > 0 && tag->len == strlen(l->tag) &&
		    memcmp(tag->ptr, l->tag, tag->len) == 0)
			return l;
	}
	return NULL;
}

/* A result of no producer of this batch: ours, as the local mode's. */
static void
own_result(struct service *s, const struct sdc_frame *f,
    struct sdc_record *r, bool decoded)
{
	char msg[1024];

	if (f->kind != SDC_KIND_ERROR) {
		sdc_run_forward(s->run, f);	/* last: it may stop us */
		return;
	}
	if (!decoded) {
		sdc_run_reject_raw(s->run, "the Spark driver", f->payload,
		    f->payload_len, "SDC_BAD_FRAME", "a bad error frame");
		return;
	}
	snprintf(msg, sizeof msg, "%.*s", (int)r->h.error.message.len,
	    r->h.error.message.ptr);
	sdc_run_reject_record(s->run, r, msg);
}

static bool
batch_failed(struct service *s, const struct sdc_frame *f,
    const struct sdc_record *r)
{
	const struct sdc_str *code = &r->h.error.code;

	if (f->kind != SDC_KIND_ERROR ||
	    code->len != strlen(SDC_SPARK_BATCH_FAILED) ||
	    memcmp(code->ptr, SDC_SPARK_BATCH_FAILED, code->len) != 0)
		return false;
	/* Each producer fails its own records of the batch with it. */
	if (!s->failed && !sdc_buf_append(&s->failure, f->bytes, f->size))
		sdc_errx(SDC_EXIT_IO, "out of memory for a batch");
	s->failed = true;
	return true;
}

/* A result goes to its producer, without the attribute. */
static void
route(struct service *s, const struct sdc_frame *f)
{
	struct sdc_record *r = &s->scratch;
	const char *reason;
	struct link *l;

	if (sdc_wire_decode(r, f->kind, f->payload, f->payload_len,
	    &reason) != 0) {
		own_result(s, f, r, false);
		return;
	}
	if (batch_failed(s, f, r))
		return;
	if ((l = link_of(s, r)) == NULL) {
		own_result(s, f, r, true);
		return;
	}
	if (l->state == LINK_GONE) {
		l->discarded++;
		return;
	}
	sdc_record_remove_attr(r, SDC_SPARK_PRODUCER_ATTR);
	if (!sdc_buf_reserve(&l->out, f->size)) {
		not_reading(s, l);
		l->discarded++;
		return;
	}
	if (!sdc_wire_encode(&l->out, r, s->max_payload, &reason)) {
		lost(s, l, "%s: a result cannot be sent: %s", l->name, reason);
		l->discarded++;
		return;
	}
	l->out_frames++;
	if (f->kind == SDC_KIND_DATA)
		s->run->n.out++;
	else
		s->run->n.passed++;
}

/* Each producer of the batch gets a batch frame for each of its own. */
static void
end_for_link(struct service *s, struct link *l)
{
	for (unsigned long i = 0; i < l->spark_batches; i++) {
		if (s->failed && l->state != LINK_GONE)
			queue_frame(s, l, SDC_KIND_ERROR, s->failure.data +
			    SDC_FRAME_HEADER_LEN, s->failure.len -
			    SDC_FRAME_HEADER_LEN);
		queue_frame(s, l, SDC_KIND_BATCH, NULL, 0);
	}
	if (l->state == LINK_GONE && l->spark_records > 0)
		sdc_warnx("%s: disconnected before the results of its %lu "
		    "%s: %llu %s discarded", l->name, l->spark_records,
		    plural(l->spark_records, "record", "records"),
		    (unsigned long long)l->discarded,
		    plural(l->discarded, "result", "results"));
	l->spark_batches = l->spark_records = 0;
	l->discarded = 0;
	close_if_done(s, l);
	flush_link(s, l);
}

static void
union_done(struct service *s)
{
	for (size_t i = 0; i < s->nlinks; i++)
		if (s->links[i]->spark_batches > 0)
			end_for_link(s, s->links[i]);
	s->in_flight = false;
	s->failed = false;
	sdc_buf_reset(&s->failure);
	sdc_out_flush(&s->run->out);
	if (s->run->opt.errors_path != NULL)
		sdc_out_flush(&s->run->errors);
	sdc_run_batch(s->run);	/* last: it may stop us */
	sdc_out_flush(&s->run->out);
}

static void
driver_frame(struct service *s, const struct sdc_frame *f)
{
	if (!s->in_flight)
		sdc_errx(SDC_EXIT_IO, "the Spark driver wrote results of no "
		    "batch");
	if (f->kind == SDC_KIND_BATCH)
		union_done(s);
	else if (f->kind == SDC_KIND_DATA || f->kind == SDC_KIND_ERROR)
		route(s, f);
	else
		sdc_run_forward(s->run, f);
}

static void
read_driver(struct service *s)
{
	struct sdc_frame f;

	sdc_spark_bridge_pump(&s->bridge);
	while (sdc_frame_reader_ready(&s->bridge.from_driver)) {
		sdc_spark_bridge_next(&s->bridge, &f);
		driver_frame(s, &f);
	}
}

/* ------------------------------------------------------------ the loop */

static int
poll_timeout(struct service *s)
{
	double now = sdc_uptime(), soonest = now + POLL_MAX_MS / 1000.0;

	for (size_t i = 0; i < s->nlinks; i++) {
		const struct link *l = s->links[i];

		if (l->state < LINK_UP && l->deadline < soonest)
			soonest = l->deadline;
		if (!s->in_flight && l->waiting_batches > 0 &&
		    l->waiting_since + s->o->batch_seconds < soonest)
			soonest = l->waiting_since + s->o->batch_seconds;
	}
	return soonest <= now ? 0 : (int)((soonest - now) * 1000) + 1;
}

static void
expire_handshakes(struct service *s)
{
	double now = sdc_uptime();

	for (size_t i = 0; i < s->nlinks; i++) {
		struct link *l = s->links[i];

		if (l->state < LINK_UP && l->deadline <= now)
			refuse(s, l, "no handshake within "
			    SDC_STRINGIFY(HANDSHAKE_SECONDS) " s");
	}
}

/* Links closed and done with are forgotten. */
static void
reap(struct service *s)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->nlinks; i++) {
		struct link *l = s->links[i];

		if (l->state == LINK_GONE && l->spark_batches == 0)
			free_link(l);
		else
			s->links[kept++] = l;
	}
	s->nlinks = kept;
}

static size_t
watch(struct service *s)
{
	size_t n = 0;

	if (s->cap_pfds < s->nlinks + 2) {
		s->cap_pfds = s->nlinks + 16;
		s->pfds = sdc_xreallocarray(s->pfds, s->cap_pfds,
		    sizeof(*s->pfds));
		s->pfd_links = sdc_xreallocarray(s->pfd_links, s->cap_pfds,
		    sizeof(*s->pfd_links));
	}
	s->pfds[n] = (struct pollfd){ s->bridge.from_driver.fd, POLLIN, 0 };
	s->pfd_links[n++] = NULL;
	if (s->listen_fd >= 0 && !s->stopping) {
		s->pfds[n] = (struct pollfd){ s->listen_fd, POLLIN, 0 };
		s->pfd_links[n++] = NULL;
	}
	for (size_t i = 0; i < s->nlinks; i++) {
		struct link *l = s->links[i];
		short ev = 0;

		if (l->state == LINK_GONE)
			continue;
		if (!s->stopping && link_reads(l))
			ev |= POLLIN;
		if (l->out_at < l->out.len)
			ev |= POLLOUT;
		s->pfds[n] = (struct pollfd){ l->fd, ev, 0 };
		s->pfd_links[n++] = l;
	}
	return n;
}

static void
link_event(struct service *s, struct link *l, short rev)
{
	if (l->state != LINK_GONE && (rev & POLLOUT))
		flush_link(s, l);
	if (l->state == LINK_GONE || rev == POLLOUT)
		return;
	if (!s->stopping && link_reads(l))
		read_link(s, l);
	else if (rev & (POLLERR | POLLHUP))
		close_link(l);
}

/* One round of the loop: wait for something to do, and do it. */
static void
step(struct service *s, int timeout_ms)
{
	size_t n = watch(s);
	int rc = poll(s->pfds, (nfds_t)n, timeout_ms);

	if (rc < 0 && errno != EINTR)
		sdc_err(SDC_EXIT_IO, "poll");
	for (size_t i = 0; rc > 0 && i < n; i++) {
		short rev = s->pfds[i].revents;

		if (rev == 0)
			continue;
		if (s->pfd_links[i] != NULL)
			link_event(s, s->pfd_links[i], rev);
		else if (s->pfds[i].fd == s->listen_fd)
			accept_links(s);
		else
			read_driver(s);
	}
	expire_handshakes(s);
	reap(s);
}

static bool
any_waiting(const struct service *s)
{
	for (size_t i = 0; i < s->nlinks; i++)
		if (s->links[i]->waiting_batches > 0)
			return true;
	return false;
}

static bool
any_output(const struct service *s)
{
	for (size_t i = 0; i < s->nlinks; i++)
		if (s->links[i]->state != LINK_GONE &&
		    s->links[i]->out_at < s->links[i]->out.len)
			return true;
	return false;
}

/* The producers are told, and their links end after their results. */
static void
end_links(struct service *s)
{
	double deadline = sdc_uptime() + STOP_FLUSH_SECONDS;

	for (size_t i = 0; i < s->nlinks; i++) {
		struct link *l = s->links[i];

		if (l->state == LINK_UP && l->receiving_records > 0)
			sdc_warnx("%s: stopping, its batch of %lu %s being "
			    "received dropped", l->name, l->receiving_records,
			    plural(l->receiving_records, "record", "records"));
		if (l->state == LINK_UP)
			end_stream(s, l, true);
		else if (l->state < LINK_UP)
			close_link(l);
		flush_link(s, l);
	}
	while (any_output(s) && sdc_uptime() < deadline)
		step(s, POLL_MAX_MS);
	for (size_t i = 0; i < s->nlinks; i++) {
		struct link *l = s->links[i];

		if (l->state != LINK_GONE && l->out_at < l->out.len)
			sdc_warnx("%s: %zu bytes of its results not sent in "
			    "%d s", l->name, l->out.len - l->out_at,
			    STOP_FLUSH_SECONDS);
		close_link(l);
	}
	reap(s);
}

/*
 * A stop signal: the batch in Spark and those waiting go through, the
 * producers get their results and the end of their links, Spark stops.
 */
static void
drain(struct service *s)
{
	s->stopping = true;
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	s->listen_fd = -1;
	while (s->started && (s->in_flight || any_waiting(s))) {
		if (!s->in_flight)
			send_union(s);
		step(s, POLL_MAX_MS);
	}
	end_links(s);
	if (s->started)
		sdc_run_fail(s->run, sdc_spark_bridge_close(&s->bridge));
	s->started = false;
}

static void
on_stop(struct sdc_run *run, void *ctx)
{
	(void)run;
	drain(ctx);
}

static void
listen_on(struct service *s, const struct sdc_net_addr *addr)
{
	char err[512];

	s->listen_fd = sdc_net_listen(addr, err, sizeof err);
	if (s->listen_fd < 0)
		sdc_errx(SDC_EXIT_IO, "%s", err);
	if (!sdc_net_set_nonblocking(s->listen_fd, true))
		sdc_err(SDC_EXIT_IO, "%s", addr->text);
	sdc_net_local_name(s->listen_fd, s->where, sizeof s->where);
}

void
sdc_spark_serve(struct sdc_run *run, const struct sdc_spark_eval_options *o,
    const struct sdc_net_addr *addr, const struct sdc_secret *secret)
{
	struct service s;

	memset(&s, 0, sizeof s);
	s.run = run;
	s.o = o;
	s.secret = secret;
	s.max_payload = run->opt.max_record + (1u << 20);
	sdc_buf_init(&s.batch, UNION_MAX_BYTES + LINK_MAX_BYTES +
	    s.max_payload);
	sdc_buf_init(&s.failure, s.max_payload + SDC_FRAME_HEADER_LEN);
	sdc_record_init(&s.scratch);
	/* Bound first, so that a bad address fails before Spark starts. */
	listen_on(&s, addr);
	run->on_stop = on_stop;
	run->stop_ctx = &s;
	sdc_spark_start(run, &s.bridge, &o->spark, &s.started);
	if (!run->opt.dry_run)
		sdc_warnx("listening on %s", s.where);
	while (!run->opt.dry_run) {
		if (sdc_pending_signal)
			sdc_run_poll(run);
		if (union_due(&s))
			send_union(&s);
		step(&s, poll_timeout(&s));
	}
	drain(&s);
	run->on_stop = NULL;
	free(s.links);
	free(s.pfds);
	free(s.pfd_links);
	sdc_record_release(&s.scratch);
	sdc_buf_release(&s.batch);
	sdc_buf_release(&s.failure);
}
