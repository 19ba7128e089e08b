/*
 * The udp origin: datagrams on one or more addresses, each a payload
 * for the format (a record each with bytes or json, split into lines
 * with text, syslog messages with log, collectd, netflow).  UDP cannot
 * make a sender wait: while the output is full the sockets are not
 * read, and what the kernel then drops is counted (udp-socket.h).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "ingest.h"
#include "loop.h"
#include "net.h"
#include "origin.h"
#include "udp-socket.h"
#include "xalloc.h"
#include "banned.h"

#define LISTEN_MAX	16

struct udp_opts {
	const char	*listen[LISTEN_MAX];
	size_t		 nlisten;
	size_t		 rcvbuf;
	bool		 reuseport;
};

struct udp_origin;

/* The text of the last peer heard, kept since a sensor sends many. */
struct peer_text {
	struct sockaddr_storage	 addr;
	char			 host[64];
	char			 port[8];
	char			 name[96];	/* host:port */
};

struct udp_listener {
	struct udp_origin	*uo;
	struct sdc_udp_socket	 sock;
	struct sdc_watch	*watch;
	const char		*address;	/* as given */
	struct peer_text	 peer;
};

struct udp_origin {
	struct sdc_ingest	*ing;
	struct udp_listener	 l[LISTEN_MAX];
	size_t			 n;
	struct sdc_udp_batch	 batch;
	struct sdc_timer	*tally;
	bool			 full;
};

static void
opt_listen(void *opts, const char *opt, const char *arg)
{
	struct udp_opts *o = opts;
	struct sdc_net_addr a;
	const char *why;

	if (!sdc_net_parse(&a, arg, &why))
		sdc_usage_error("%s: '%s': %s", opt, arg, why);
	if (o->nlisten == LISTEN_MAX)
		sdc_usage_error("%s: at most %d addresses", opt, LISTEN_MAX);
	o->listen[o->nlisten++] = arg;
}

static void
opt_rcvbuf(void *opts, const char *opt, const char *arg)
{
	((struct udp_opts *)opts)->rcvbuf = sdc_parse_size(opt, arg);
}

static void
opt_reuseport(void *opts, const char *opt, const char *arg)
{
	(void)opt, (void)arg;
	((struct udp_opts *)opts)->reuseport = true;
}

static const struct sdc_plugin_option udp_options[] = {
	{ "listen", 0, "ADDR", "address:port to receive on (repeatable)",
	    opt_listen },
	{ "rcvbuf", 0, "BYTES", "kernel receive buffer (default 16M)",
	    opt_rcvbuf },
	{ "reuseport", 0, NULL, "share the port with other processes",
	    opt_reuseport },
	{ NULL, 0, NULL, NULL, NULL }
};

static void
udp_opts_init(void *opts)
{
	struct udp_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->rcvbuf = 16u << 20;
}

/* The drops the datagrams read so far reported, into the counts. */
static void
seen_drops(struct udp_origin *uo)
{
	uint64_t drops = 0;

	for (size_t i = 0; i < uo->n; i++)
		drops += uo->l[i].sock.drops;
	uo->ing->n.drops = drops;
}

/* And those since, which only the kernel knows (SO_MEMINFO). */
static void
tally_drops(struct udp_origin *uo)
{
	for (size_t i = 0; i < uo->n; i++)
		sdc_udp_kernel_drops(&uo->l[i].sock);
	seen_drops(uo);
}

static void
on_tally(void *ctx)
{
	struct udp_origin *uo = ctx;

	tally_drops(uo);
	sdc_loop_timer_arm(uo->tally, 1.0);
}

static size_t
address_size(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
	    sizeof(struct sockaddr_in);
}

static const struct peer_text *
peer_text(struct udp_listener *l, const struct sdc_udp_datagram *d)
{
	struct peer_text *p = &l->peer;
	size_t size = address_size(&d->peer);
	unsigned port;

	if (p->addr.ss_family == d->peer.ss_family &&
	    memcmp(&p->addr, &d->peer, size) == 0)
		return p;
	memcpy(&p->addr, &d->peer, size);
	sdc_udp_peer(d, p->host, sizeof p->host, &port);
	snprintf(p->port, sizeof p->port, "%u", port);
	snprintf(p->name, sizeof p->name, "%s:%u", p->host, port);
	return p;
}

static void
one_datagram(struct udp_listener *l, const struct sdc_udp_datagram *d,
    int64_t received)
{
	struct sdc_ingest *ing = l->uo->ing;
	const struct peer_text *peer = peer_text(l, d);
	struct sdc_meta m;

	sdc_meta_clear(&m);
	sdc_meta_add(&m, "remoteAddress", peer->host);
	sdc_meta_add(&m, "remotePort", peer->port);
	sdc_meta_add(&m, "localAddress", l->address);
	sdc_meta_add_received(&m, received);
	if (d->truncated)
		sdc_ingest_refuse(ing, peer->name, &m, d->data, d->len,
		    "UDP_TOO_LARGE", "datagram over --max-message-size "
		    "(%zu bytes)", ing->opt.max_message);
	else
		sdc_ingest_payload(ing, peer->name, &m, d->data, d->len);
}

/* What waits, a batch at a time, while the output has room. */
static void
on_readable(void *ctx, int fd, unsigned events)
{
	struct udp_listener *l = ctx;
	struct udp_origin *uo = l->uo;
	int n;

	(void)fd, (void)events;
	n = 0;
	while (!uo->full && (n = sdc_udp_receive(&l->sock, &uo->batch)) > 0) {
		int64_t received = sdc_now_ms();

		for (int i = 0; i < n; i++)
			one_datagram(l, &uo->batch.got[i], received);
		if (n < SDC_UDP_BATCH)
			break;
	}
	if (n < 0)
		sdc_warn("%s: receive", l->address);
	seen_drops(uo);
}

static void
on_pressure(void *ctx, bool full)
{
	struct udp_origin *uo = ctx;

	uo->full = full;
	for (size_t i = 0; i < uo->n; i++)
		sdc_loop_watch_events(uo->l[i].watch, full ? 0 : SDC_LOOP_READ);
}

static void *
udp_start(struct sdc_ingest *ing, const void *opts, int argc,
    char *const *argv)
{
	const struct udp_opts *o = opts;
	struct udp_origin *uo;
	char err[512];

	(void)argv;
	if (argc > 0)
		sdc_usage_error("the udp origin takes no operands");
	if (o->nlisten == 0)
		sdc_usage_error("the udp origin needs --listen ADDR:PORT");
	uo = sdc_xcalloc(1, sizeof(*uo));
	uo->ing = ing;
	sdc_udp_batch_init(&uo->batch, ing->opt.max_message <
	    SDC_UDP_MAX_DATAGRAM ? ing->opt.max_message :
	    SDC_UDP_MAX_DATAGRAM);
	for (size_t i = 0; i < o->nlisten; i++) {
		struct udp_listener *l = &uo->l[uo->n];
		struct sdc_net_addr a;
		const char *why;

		sdc_net_parse(&a, o->listen[i], &why);
		if (sdc_udp_open(&l->sock, &a, (int)o->rcvbuf, o->reuseport,
		    err, sizeof err) != 0)
			sdc_errx(SDC_EXIT_IO, "%s", err);
		l->uo = uo;
		l->address = o->listen[i];
		l->watch = sdc_loop_watch(ing->loop, l->sock.fd, SDC_LOOP_READ,
		    on_readable, l);
		uo->n++;
	}
	uo->tally = sdc_loop_timer(ing->loop, on_tally, uo);
	sdc_loop_timer_arm(uo->tally, 1.0);
	sdc_loop_on_pressure(ing->loop, on_pressure, uo);
	return uo;
}

/* What the kernel holds already, taken before the sockets close. */
static void
take_the_rest(struct udp_origin *uo)
{
	uo->full = false;
	for (size_t i = 0; i < uo->n; i++)
		while (sdc_udp_receive(&uo->l[i].sock, &uo->batch) > 0)
			for (unsigned j = 0; j < uo->batch.n; j++)
				one_datagram(&uo->l[i], &uo->batch.got[j],
				    sdc_now_ms());
}

static void
udp_stop(void *state)
{
	struct udp_origin *uo = state;

	if (!uo->ing->run->opt.dry_run)
		take_the_rest(uo);
	tally_drops(uo);
	for (size_t i = 0; i < uo->n; i++) {
		sdc_loop_unwatch(uo->l[i].watch);
		sdc_udp_close(&uo->l[i].sock);
	}
	sdc_loop_timer_free(uo->tally);
	sdc_udp_batch_release(&uo->batch);
	sdc_loop_forget(uo->ing->loop, uo);
	free(uo);
}

const struct sdc_origin sdc_origin_udp = {
	.name = "udp",
	.summary = "datagrams on UDP addresses",
	.options = udp_options,
	.opts_size = sizeof(struct udp_opts),
	.opts_init = udp_opts_init,
	.start = udp_start,
	.stop = udp_stop,
};
