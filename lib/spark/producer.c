/* A producer of the cluster mode: batches to the service, results back. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "batcher.h"
#include "cluster.h"
#include "diag.h"
#include "varint.h"
#include "wire.h"
#include "banned.h"

#define END_WAIT_SECONDS	5	/* for the service to end its stream */

struct producer {
	struct sdc_run			*run;
	const struct sdc_net_addr	*addr;
	char				 name[320];	/* for messages */
	int				 fd;
	struct sdc_frame_reader		 from;		/* the results */
	bool				 linked;	/* from is open */
	uint64_t			 frames;	/* sent, for the end */
	unsigned long			 in_flight;	/* records sent */
	bool				 stopping;	/* the service said so */
	struct sdc_spark_batcher	 batcher;
};

/* The link is gone: say what that cost. */
static noreturn void
service_gone(struct producer *p)
{
	const char *how = p->stopping ? "stopped" : "closed the connection";

	if (p->in_flight > 0)
		sdc_errx(SDC_EXIT_IO, "%s %s before the results of a batch "
		    "of %lu records", p->name, how, p->in_flight);
	if (p->batcher.records > 0)
		sdc_errx(SDC_EXIT_IO, "%s %s; %lu records read were not sent",
		    p->name, how, p->batcher.records);
	sdc_errx(SDC_EXIT_IO, "%s %s", p->name, how);
}

static noreturn void
link_failed(struct producer *p, enum sdc_read_status st, int saved)
{
	if (st == SDC_READ_EOF || (st == SDC_READ_IO &&
	    (saved == ECONNRESET || saved == EPIPE)))
		service_gone(p);
	sdc_errx(SDC_EXIT_IO, "%s", p->from.err);
}

static void
write_all(struct producer *p, const void *data, size_t n)
{
	const uint8_t *at = data;

	while (n > 0) {
		ssize_t w = send(p->fd, at, n, MSG_NOSIGNAL);

		/* Signals wait for a poll point, as with the driver. */
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
			service_gone(p);
		if (w < 0)
			sdc_err(SDC_EXIT_IO, "%s", p->name);
		at += w;
		n -= (size_t)w;
	}
}

static void
send_batch(void *ctx, const void *frames, size_t len, unsigned long records)
{
	struct producer *p = ctx;
	uint8_t batch[SDC_FRAME_HEADER_LEN];
	struct sdc_buf bb = { batch, 0, sizeof batch, sizeof batch };

	sdc_wire_frame(&bb, SDC_KIND_BATCH, NULL, 0);
	p->in_flight = records;
	write_all(p, frames, len);
	write_all(p, batch, bb.len);
	p->frames += records + 1;
}

/* A frame of the service: false for its stopping event, taken here. */
static bool
is_result(struct producer *p, const struct sdc_frame *f)
{
	if (!sdc_spark_frame_is_event(f, SDC_SPARK_STOPPING_EVENT))
		return true;
	p->stopping = true;
	return false;
}

static void
next_result(void *ctx, struct sdc_frame *f)
{
	struct producer *p = ctx;
	enum sdc_read_status st;

	do {
		if ((st = sdc_frame_reader_next(&p->from, f)) !=
		    SDC_READ_FRAME)
			link_failed(p, st, errno);
	} while (!is_result(p, f));
	if (f->kind == SDC_KIND_BATCH)
		p->in_flight = 0;
}

/* The link is readable while no batch is out: it is going away. */
static void
watch_link(void *ctx)
{
	struct producer *p = ctx;
	enum sdc_read_status st;
	struct sdc_frame f;

	if ((st = sdc_frame_reader_pump(&p->from)) != SDC_READ_FRAME)
		link_failed(p, st, errno);
	while (sdc_frame_reader_ready(&p->from)) {
		if ((st = sdc_frame_reader_next(&p->from, &f)) !=
		    SDC_READ_FRAME)
			link_failed(p, st, errno);
		if (is_result(p, &f))
			sdc_errx(SDC_EXIT_IO, "%s: byte %llu: results of no "
			    "batch", p->name, (unsigned long long)f.offset);
	}
}

static void
link_up(struct producer *p, const struct sdc_secret *secret)
{
	uint8_t header[SDC_STREAM_HEADER_LEN];
	struct sdc_buf hb = { header, 0, sizeof header, sizeof header };
	char err[512];

	snprintf(p->run->phase, sizeof p->run->phase, "connecting to %.40s",
	    p->addr->text);
	p->fd = sdc_net_connect(p->addr, SDC_SPARK_CONNECT_SECONDS, err,
	    sizeof err);
	if (p->fd < 0)
		sdc_errx(SDC_EXIT_IO, "%s", err);
	if (sdc_spark_auth_producer(p->fd, secret,
	    SDC_SPARK_HANDSHAKE_SECONDS, err, sizeof err) != 0)
		sdc_errx(SDC_EXIT_IO, "%s: %s", p->addr->text, err);
	snprintf(p->name, sizeof p->name, "the service at %s", p->addr->text);
	sdc_frame_reader_open_fd(&p->from, p->fd, p->name,
	    p->run->opt.max_record + (1u << 20));
	p->linked = true;
	sdc_wire_stream_header(&hb);
	write_all(p, header, hb.len);
	snprintf(p->run->phase, sizeof p->run->phase, "connected to %.40s",
	    p->addr->text);
}

/*
 * Our stream ends; the service ends its own in answer, which is waited
 * for a little so that it need not write to a closed socket.
 */
static void
link_down(struct producer *p)
{
	uint8_t end[SDC_FRAME_HEADER_LEN + SDC_VARINT_MAX];
	uint8_t count[SDC_VARINT_MAX];
	struct sdc_buf eb = { end, 0, sizeof end, sizeof end };
	struct pollfd pfd = { p->fd, POLLIN, 0 };
	double deadline = sdc_uptime() + END_WAIT_SECONDS, left;
	struct sdc_frame f;

	sdc_wire_frame(&eb, SDC_KIND_END, count, sdc_varint_put(count,
	    p->frames));
	write_all(p, end, eb.len);
	shutdown(p->fd, SHUT_WR);
	while (!p->from.eof && (left = deadline - sdc_uptime()) > 0 &&
	    poll(&pfd, 1, (int)(left * 1000) + 1) > 0) {
		if (sdc_frame_reader_pump(&p->from) != SDC_READ_FRAME)
			break;
		while (!p->from.eof && sdc_frame_reader_ready(&p->from) &&
		    sdc_frame_reader_next(&p->from, &f) == SDC_READ_FRAME)
			;
	}
	sdc_frame_reader_close(&p->from);
	p->linked = false;
}

static void
finish(struct producer *p)
{
	sdc_spark_batcher_finish(&p->batcher);
	if (p->linked)
		link_down(p);
}

/* A stop signal: what was read still goes through the service. */
static void
on_stop(struct sdc_run *run, void *ctx)
{
	(void)run;
	finish(ctx);
}

void
sdc_spark_produce(struct sdc_run *run, const struct sdc_spark_eval_options *o,
    const struct sdc_net_addr *addr, const struct sdc_secret *secret,
    const char *const *paths)
{
	struct producer p;
	/* The service takes one batch at a time from each producer. */
	struct sdc_spark_backend be = { .ctx = &p, .send = send_batch,
		.next = next_result, .watch_fd = -1, .watch = watch_link,
		.max_in_flight = 1 };

	memset(&p, 0, sizeof p);
	p.run = run;
	p.addr = addr;
	p.fd = -1;
	snprintf(p.name, sizeof p.name, "the service at %s", addr->text);
	sdc_spark_batcher_init(&p.batcher, run, &be, o->batch_size,
	    o->batch_seconds);
	run->on_stop = on_stop;
	run->stop_ctx = &p;
	link_up(&p, secret);	/* a dry run checks the link and the secret */
	p.batcher.be.watch_fd = p.fd;
	for (; !run->opt.dry_run && *paths != NULL; paths++)
		sdc_spark_batcher_read(&p.batcher, *paths);
	finish(&p);
	run->on_stop = NULL;
	sdc_spark_batcher_release(&p.batcher);
}
