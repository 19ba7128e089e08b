/*
 * The mqtt origin: a subscriber to a broker, over TCP or TLS, with the
 * client of mqtt-client.h on the loop.  A QoS 1 or 2 message is
 * acknowledged only once its records have been written to standard
 * output (sdc_loop_on_written), so a message the pipeline has not taken
 * is the broker's still; while the output is full the socket is not
 * read, and the client keeps pinging so that the broker waits.  A lost
 * connection is made again after a backoff (retry.h), in the same
 * session when --persistent.
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "ingest.h"
#include "loop.h"
#include "mqtt-client.h"
#include "mqtt-origin.h"
#include "net.h"
#include "origin.h"
#include "retry.h"
#include "secret.h"
#include "tls.h"
#include "xalloc.h"
#include "banned.h"

enum state { DOWN, CONNECTING, HANDSHAKE, UP };

struct pending_ack {
	struct sdc_mqtt_message	m;
	uint64_t		at;	/* output position its records end */
};

struct mqtt_origin {
	struct sdc_ingest		*ing;
	const struct sdc_mqtt_opts	*o;
	struct sdc_mqtt_client_config	 cfg;
	struct sdc_mqtt_client		 c;
	struct sdc_secret		 password, key_password;
	struct sdc_net_addr		 addr;
	enum state			 state;
	int				 fd;
	struct sdc_watch		*watch;
	struct sdc_tls_ctx		*tls_ctx;
	struct sdc_tls			*tls;
	struct sdc_timer		*tick, *redial;
	struct sdc_retry		 retry;
	struct pending_ack		*acks;
	size_t				 head, nacks, cap;
	uint8_t				 rbuf[65536];
	size_t				 rlen, roff;
	bool				 full;		/* the loop says */
	bool				 held;		/* a round held back */
	bool				 stopping;
};

static void closed(struct mqtt_origin *mo, const char *why);
static void events(struct mqtt_origin *mo);
static void arm_tick(struct mqtt_origin *mo);
static void take_more(struct mqtt_origin *mo);

static int64_t
now_ms(const struct mqtt_origin *mo)
{
	return (int64_t)(sdc_loop_now(mo->ing->loop) * 1000);
}

/* ---------------------------------------------------------------- I/O */

/* Bytes moved, 0 at the end of the stream, -1 for later, -2 broken. */
static ssize_t
io_read(struct mqtt_origin *mo, void *p, size_t n, const char **why)
{
	ssize_t k;

	if (mo->tls != NULL) {
		k = sdc_tls_read(mo->tls, p, n);
		*why = sdc_tls_error(mo->tls);
		return k == SDC_TLS_WANT ? -1 : k == SDC_TLS_ERROR ? -2 : k;
	}
	k = recv(mo->fd, p, n, 0);
	*why = strerror(errno);
	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? -1 : -2;
	return k;
}

static ssize_t
io_write(struct mqtt_origin *mo, const void *p, size_t n, const char **why)
{
	ssize_t k;

	if (mo->tls != NULL) {
		k = sdc_tls_write(mo->tls, p, n);
		*why = sdc_tls_error(mo->tls);
		return k == SDC_TLS_WANT ? -1 : k == SDC_TLS_ERROR ? -2 : k;
	}
	k = send(mo->fd, p, n, MSG_NOSIGNAL);
	*why = strerror(errno);
	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? -1 : -2;
	return k;
}

static bool
output_pending(const struct mqtt_origin *mo)
{
	size_t n;

	sdc_mqtt_client_output(&mo->c, &n);
	return n > 0;
}

static void
update_watch(struct mqtt_origin *mo)
{
	unsigned ev = 0, wants = mo->tls ? sdc_tls_wants(mo->tls) : 0;

	if (mo->watch == NULL)
		return;
	if (mo->state != UP || !(mo->full || mo->held) ||
	    (wants & SDC_TLS_WANT_READ))
		ev |= SDC_LOOP_READ;
	if (mo->state == CONNECTING || (wants & SDC_TLS_WANT_WRITE) ||
	    (mo->state == UP && output_pending(mo)))
		ev |= SDC_LOOP_WRITE;
	sdc_loop_watch_events(mo->watch, ev);
}

/* What the client queued, sent as far as the socket takes it. */
static void
flush(struct mqtt_origin *mo)
{
	const uint8_t *p;
	const char *why;
	size_t n;

	while (mo->state == UP && (p = sdc_mqtt_client_output(&mo->c, &n),
	    n > 0)) {
		ssize_t k = io_write(mo, p, n, &why);

		if (k == -1)
			break;
		if (k < 0) {
			sdc_mqtt_client_lost(&mo->c, why);
			events(mo);
			return;
		}
		sdc_mqtt_client_sent(&mo->c, (size_t)k);
	}
	update_watch(mo);
}

/* ---------------------------------------------------------------- acks */

static void
queue_ack(struct mqtt_origin *mo, const struct sdc_mqtt_message *m)
{
	if (mo->nacks == mo->cap) {
		size_t cap = mo->cap ? mo->cap * 2 : 64;
		struct pending_ack *a = sdc_xcalloc(cap, sizeof(*a));

		for (size_t i = 0; i < mo->nacks; i++)
			a[i] = mo->acks[(mo->head + i) % mo->cap];
		free(mo->acks);
		mo->acks = a;
		mo->cap = cap;
		mo->head = 0;
	}
	mo->acks[(mo->head + mo->nacks++) % mo->cap] = (struct pending_ack){
		*m, sdc_loop_output_end(mo->ing->loop) };
}

/* Acknowledge the messages whose records are all written. */
static void
release_acks(struct mqtt_origin *mo, uint64_t written)
{
	bool any = false;

	while (mo->nacks > 0 && mo->acks[mo->head].at <= written) {
		sdc_mqtt_client_ack(&mo->c, &mo->acks[mo->head].m);
		mo->head = (mo->head + 1) % mo->cap;
		mo->nacks--;
		any = true;
	}
	if (any)
		flush(mo);
}

static void
on_written(void *ctx, uint64_t written)
{
	struct mqtt_origin *mo = ctx;

	release_acks(mo, written);
	if (mo->held && !sdc_loop_output_full(mo->ing->loop)) {
		mo->held = false;
		take_more(mo);
	}
}

/* -------------------------------------------------------------- messages */

static void
message_meta(struct mqtt_origin *mo, const struct sdc_mqtt_message *m,
    struct sdc_meta *meta)
{
	sdc_meta_clear(meta);
	sdc_meta_addf(meta, "topic", "%.*s", (int)m->topic.n,
	    (const char *)m->topic.p);
	sdc_meta_addf(meta, "qos", "%u", m->qos);
	if (m->retain)
		sdc_meta_add(meta, "retain", "true");
	if (m->dup)
		sdc_meta_add(meta, "dup", "true");
	if (m->content_type.n > 0)
		sdc_meta_addf(meta, "contentType", "%.*s",
		    (int)m->content_type.n, (const char *)m->content_type.p);
	sdc_meta_add(meta, "broker", mo->addr.text);
	sdc_meta_add_now(meta);
}

static void
deliver(struct mqtt_origin *mo, const struct sdc_mqtt_event *ev)
{
	const struct sdc_mqtt_message *m = &ev->message;
	char name[256];
	struct sdc_meta meta;

	message_meta(mo, m, &meta);
	snprintf(name, sizeof name, "%.*s", (int)m->topic.n,
	    (const char *)m->topic.p);
	if (ev->type == SDC_MQTT_EV_OVERSIZE)
		sdc_ingest_refuse(mo->ing, name, &meta, NULL, 0,
		    "MQTT_TOO_LARGE", "a message of %zu bytes, over "
		    "--max-message-size", m->payload.n);
	else
		sdc_ingest_payload(mo->ing, name, &meta, m->payload.p,
		    m->payload.n);
	if (m->qos > 0)
		queue_ack(mo, m);
}

static void
subscribed(struct mqtt_origin *mo, const struct sdc_mqtt_event *ev)
{
	for (size_t i = 0; i < ev->granted.n && i < mo->cfg.nsubs; i++) {
		if (ev->granted.p[i] < 0x80)
			continue;
		sdc_warnx("%s: the broker refused the subscription to %s "
		    "(reason 0x%02x)", mo->addr.text, mo->cfg.subs[i].filter,
		    ev->granted.p[i]);
		sdc_run_fail(mo->ing->run, SDC_EXIT_IO);
		sdc_ingest_done(mo->ing);
	}
}

/*
 * While the output is full, messages already read wait in the client
 * (a round of them could pass --max-buffer, where writes would block
 * and the keepalive with them).
 */
static bool
held_back(struct mqtt_origin *mo)
{
	if (!mo->held && mo->state == UP &&
	    sdc_loop_output_full(mo->ing->loop)) {
		mo->held = true;
		sdc_mqtt_client_pause(&mo->c, true, now_ms(mo));
		update_watch(mo);
	}
	return mo->held;
}


static void
events(struct mqtt_origin *mo)
{
	struct sdc_mqtt_event ev;

	while (!held_back(mo) &&
	    sdc_mqtt_client_next(&mo->c, &ev) != SDC_MQTT_EV_NONE) {
		switch (ev.type) {
		case SDC_MQTT_EV_CONNECTED:
			sdc_retry_succeeded(&mo->retry);
			break;
		case SDC_MQTT_EV_SUBSCRIBED:
			subscribed(mo, &ev);
			break;
		case SDC_MQTT_EV_MESSAGE:
		case SDC_MQTT_EV_OVERSIZE:
			deliver(mo, &ev);
			break;
		case SDC_MQTT_EV_CLOSED:
			flush(mo);
			closed(mo, ev.reason);
			return;
		default:
			break;
		}
	}
	release_acks(mo, sdc_loop_output_written(mo->ing->loop));
	flush(mo);
	arm_tick(mo);
}

/* Feed what was read and not fed yet, while the output has room. */
static void
pump(struct mqtt_origin *mo)
{
	while (mo->state == UP && !mo->full && !mo->held &&
	    mo->roff < mo->rlen) {
		size_t k = sdc_mqtt_client_feed(&mo->c, mo->rbuf + mo->roff,
		    mo->rlen - mo->roff, now_ms(mo));

		mo->roff += k;
		events(mo);
		if (k == 0)
			break;
	}
}

static void
receive(struct mqtt_origin *mo)
{
	const char *why;
	ssize_t k;

	while (mo->state == UP && !mo->full && !mo->held &&
	    mo->roff == mo->rlen) {
		k = io_read(mo, mo->rbuf, sizeof mo->rbuf, &why);
		if (k == -1)
			break;
		if (k <= 0) {
			sdc_mqtt_client_lost(&mo->c, k == 0 ?
			    "the broker closed the connection" : why);
			events(mo);
			return;
		}
		mo->rlen = (size_t)k;
		mo->roff = 0;
		pump(mo);
	}
	update_watch(mo);
}

/* ----------------------------------------------------------- connection */

static void
arm_tick(struct mqtt_origin *mo)
{
	int64_t due = sdc_mqtt_client_deadline(&mo->c), now = now_ms(mo);

	if (due == INT64_MAX || mo->state != UP)
		sdc_loop_timer_disarm(mo->tick);
	else
		sdc_loop_timer_arm(mo->tick, due > now ?
		    (double)(due - now) / 1000 : 0);
}

static void
on_tick(void *ctx)
{
	struct mqtt_origin *mo = ctx;

	sdc_mqtt_client_tick(&mo->c, now_ms(mo));
	events(mo);
}

static void
up(struct mqtt_origin *mo)
{
	mo->state = UP;
	mo->held = false;
	mo->rlen = mo->roff = 0;
	mo->ing->n.connections++;
	sdc_mqtt_client_connect(&mo->c, now_ms(mo));
	sdc_mqtt_client_pause(&mo->c, mo->full, now_ms(mo));
	flush(mo);
	arm_tick(mo);
}

static void
handshake(struct mqtt_origin *mo)
{
	int r = sdc_tls_handshake(mo->tls);

	if (r == 0)
		up(mo);
	else if (r == SDC_TLS_ERROR)
		closed(mo, sdc_tls_error(mo->tls));
	else
		update_watch(mo);
}

static void
connected(struct mqtt_origin *mo)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(mo->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
	    err != 0) {
		closed(mo, strerror(err ? err : errno));
		return;
	}
	if (mo->tls_ctx == NULL) {
		up(mo);
		return;
	}
	mo->tls = sdc_tls_new(mo->tls_ctx, mo->fd);
	mo->state = HANDSHAKE;
	handshake(mo);
}

static void
on_socket(void *ctx, int fd, unsigned ev)
{
	struct mqtt_origin *mo = ctx;

	(void)fd;
	switch (mo->state) {
	case CONNECTING:
		connected(mo);
		break;
	case HANDSHAKE:
		handshake(mo);
		break;
	case UP:
		if (ev & SDC_LOOP_WRITE)
			flush(mo);
		if (mo->state == UP && (ev & (SDC_LOOP_READ | SDC_LOOP_HANGUP)))
			receive(mo);
		break;
	default:
		break;
	}
}

/* A non-blocking connect to the broker, finished in on_socket. */
static void
dial(struct mqtt_origin *mo)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res;
	int rc = getaddrinfo(mo->addr.host[0] ? mo->addr.host : "127.0.0.1",
	    mo->addr.port, &hints, &res);

	if (rc != 0) {
		closed(mo, gai_strerror(rc));
		return;
	}
	mo->fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	rc = mo->fd < 0 ? -1 : connect(mo->fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (rc != 0 && errno != EINPROGRESS) {
		closed(mo, strerror(errno));
		return;
	}
	mo->state = CONNECTING;
	mo->watch = sdc_loop_watch(mo->ing->loop, mo->fd, SDC_LOOP_WRITE,
	    on_socket, mo);
}

static void
on_redial(void *ctx)
{
	dial(ctx);
}

/* The connection is over: close it, and try again unless stopping. */
static void
closed(struct mqtt_origin *mo, const char *reason)
{
	char done[96], why[512];
	double wait;

	snprintf(why, sizeof why, "%s", reason);	/* it may be the TLS's */

	if (mo->watch != NULL)
		sdc_loop_unwatch(mo->watch);
	mo->watch = NULL;
	sdc_tls_free(mo->tls);
	mo->tls = NULL;
	if (mo->fd >= 0)
		close(mo->fd);
	mo->fd = -1;
	mo->state = DOWN;
	sdc_loop_timer_disarm(mo->tick);
	if (mo->stopping)
		return;
	wait = sdc_retry_failed(&mo->retry, sdc_loop_now(mo->ing->loop), 0);
	if (wait < 0) {
		sdc_retry_describe(&mo->retry, sdc_loop_now(mo->ing->loop),
		    done, sizeof done);
		sdc_warnx("%s: %s; giving up %s", mo->addr.text, why, done);
		sdc_run_fail(mo->ing->run, SDC_EXIT_IO);
		sdc_ingest_done(mo->ing);
		return;
	}
	mo->ing->n.retries++;
	sdc_warnx("%s: %s; connecting again in %.1f s", mo->addr.text, why,
	    wait);
	sdc_loop_timer_arm(mo->redial, wait);
}

static void
on_pressure(void *ctx, bool full)
{
	struct mqtt_origin *mo = ctx;

	mo->full = full;
	if (mo->state != UP)
		return;
	if (full) {
		sdc_mqtt_client_pause(&mo->c, true, now_ms(mo));
	} else {
		mo->held = false;
		take_more(mo);
	}
	update_watch(mo);
}

/* Room again: the messages held back, what was read, then the socket. */
static void
take_more(struct mqtt_origin *mo)
{
	if (mo->state != UP || mo->full)
		return;
	sdc_mqtt_client_pause(&mo->c, false, now_ms(mo));
	events(mo);
	pump(mo);
	receive(mo);
}

/* ------------------------------------------------------------ start, stop */

static void
configure(struct mqtt_origin *mo, const struct sdc_mqtt_opts *o,
    size_t max_message)
{
	struct sdc_mqtt_client_config *c = &mo->cfg;

	c->version = o->version;
	c->client_id = o->client_id ? o->client_id : "";
	c->clean = !o->persistent;
	c->keepalive = (uint16_t)o->keepalive;
	c->username = o->username;
	if (mo->password.data != NULL) {
		c->password = mo->password.data;
		c->password_len = mo->password.len;
	}
	c->session_expiry = o->persistent ? (uint32_t)o->session_expiry : 0;
	c->receive_max = (uint16_t)o->receive_max;
	c->max_packet = max_message + 65600;	/* and a topic's room */
	c->subs = o->topics;
	c->nsubs = o->ntopics;
}

static void
check(struct sdc_mqtt_opts *o, int argc)
{
	if (argc > 0)
		sdc_usage_error("the mqtt origin takes no operands");
	if (o->ntopics == 0)
		sdc_usage_error("the mqtt origin needs --topic FILTER");
	if (o->persistent && o->client_id == NULL)
		sdc_usage_error("--persistent needs --client-id: the session "
		    "is the client's");
	for (size_t i = 0; i < o->ntopics; i++)
		if (o->topics[i].qos == 0xff)
			o->topics[i].qos = (uint8_t)o->qos;
}

static void
load_secrets(struct mqtt_origin *mo, const struct sdc_mqtt_opts *o)
{
	struct sdc_tls_config conf = o->tls_config;
	char err[512];

	sdc_secret_load_if_any(&mo->password, o->password_file,
	    "SDC_MQTT_PASSWORD", "password", "--password-file");
	if (!o->tls)
		return;
	if (sdc_secret_load_if_any(&mo->key_password, o->tls_key_password_file,
	    SDC_TLS_KEY_PASSWORD_ENV, "key password",
	    SDC_TLS_KEY_PASSWORD_OPTION))
		conf.key_pass = (const char *)mo->key_password.data;
	mo->tls_ctx = sdc_tls_client_ctx(&conf, err, sizeof err);
	if (mo->tls_ctx == NULL)
		sdc_errx(SDC_EXIT_IO, "%s", err);
}

/* --dry-run: the broker answers on its port. */
static void
probe(struct mqtt_origin *mo)
{
	char err[512];
	int fd = sdc_net_connect(&mo->addr, 10, err, sizeof err);

	if (fd < 0)
		sdc_errx(SDC_EXIT_IO, "%s", err);
	close(fd);
}

static void *
mqtt_start(struct sdc_ingest *ing, const void *opts, int argc,
    char *const *argv)
{
	struct sdc_mqtt_opts *o = (struct sdc_mqtt_opts *)opts;
	struct mqtt_origin *mo = sdc_xcalloc(1, sizeof(*mo));
	const char *why;

	(void)argv;
	check(o, argc);
	mo->ing = ing;
	mo->o = o;
	mo->fd = -1;
	sdc_net_parse(&mo->addr, o->broker, &why);
	if (o->tls && o->tls_config.server_name == NULL)
		o->tls_config.server_name = mo->addr.host[0] ? mo->addr.host :
		    "127.0.0.1";
	load_secrets(mo, o);
	configure(mo, o, ing->opt.max_message);
	sdc_mqtt_client_init(&mo->c, &mo->cfg);
	sdc_retry_init(&mo->retry, &ing->opt.retry);
	mo->tick = sdc_loop_timer(ing->loop, on_tick, mo);
	mo->redial = sdc_loop_timer(ing->loop, on_redial, mo);
	sdc_loop_on_pressure(ing->loop, on_pressure, mo);
	sdc_loop_on_written(ing->loop, on_written, mo);
	if (ing->run->opt.dry_run)
		probe(mo);
	else
		dial(mo);
	return mo;
}

/* The acks of what was written, and DISCONNECT, sent before closing. */
static void
say_goodbye(struct mqtt_origin *mo)
{
	double until = sdc_uptime() + 5;

	sdc_loop_drain(mo->ing->loop);
	release_acks(mo, sdc_loop_output_written(mo->ing->loop));
	sdc_mqtt_client_disconnect(&mo->c);
	while (mo->state == UP && output_pending(mo) &&
	    sdc_uptime() < until) {
		flush(mo);
		if (output_pending(mo))
			usleep(10000);
	}
	if (mo->state != UP)
		return;
	if (mo->tls != NULL)
		sdc_tls_shutdown(mo->tls);
	sdc_net_close_gracefully(mo->fd, 2);
	mo->fd = -1;
}

static void
mqtt_stop(void *state)
{
	struct mqtt_origin *mo = state;

	mo->stopping = true;
	if (mo->state == UP)
		say_goodbye(mo);
	closed(mo, "stopped");
	sdc_loop_forget(mo->ing->loop, mo);
	sdc_loop_timer_free(mo->tick);
	sdc_loop_timer_free(mo->redial);
	sdc_mqtt_client_release(&mo->c);
	sdc_secret_release(&mo->password);
	sdc_secret_release(&mo->key_password);
	sdc_tls_ctx_free(mo->tls_ctx);
	free(mo->acks);
	free(mo);
}

const struct sdc_origin sdc_origin_mqtt = {
	.name = "mqtt",
	.summary = "messages of an MQTT broker's topics, acknowledged once "
	    "written",
	.options = sdc_mqtt_options,
	.opts_size = sizeof(struct sdc_mqtt_opts),
	.opts_init = sdc_mqtt_opts_init,
	.opts_release = sdc_mqtt_opts_release,
	.start = mqtt_start,
	.stop = mqtt_stop,
};
