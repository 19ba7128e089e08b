/* HTTPS in front of libmicrohttpd: see http-tls-relay.h. */
/* accept4 and SOCK_NONBLOCK are Linux's. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "http-tls-relay.h"
#include "net.h"
#include "xalloc.h"
#include "banned.h"

#define RELAY_BUF	(16u << 10)	/* a TLS record's worth */
#define LINGER		10.0	/* seconds for the last bytes to a client */
#define ACCEPT_PAUSE	0.1	/* seconds, when out of fds */

/*
 * One direction: what was taken from one side, not yet given the other;
 * its buffer comes with the handshake's end, so that peers that never
 * finish one cost little.
 */
struct half {
	uint8_t	*buf;		/* RELAY_BUF bytes */
	size_t	 off, len;
	bool	 eof;		/* its source has ended */
};

struct conn {
	struct sdc_http_relay	*r;
	struct conn		*prev, *next;
	int			 tcp;		/* the client's */
	int			 pair;		/* ours of the socketpair */
	int			 theirs;	/* the daemon's, until handed */
	struct sdc_watch	*tcp_w, *pair_w;
	struct sdc_timer	*deadline;	/* handshake, then linger */
	struct sdc_tls		*tls;
	struct sockaddr_storage	 addr;
	socklen_t		 addr_len;
	char			 peer[SDC_NET_NAME_LEN];
	bool			 handshaking, half_closed, lingering;
	unsigned		 read_wants, write_wants;	/* of TLS */
	struct half		 in;	/* client to daemon */
	struct half		 out;	/* daemon to client */
};

struct sdc_http_relay {
	struct sdc_http_relay_env env;
	int			 listen_fd;
	struct sdc_watch	*listen_w;
	struct sdc_timer	*accept_again;
	struct conn		*conns;
	size_t			 nconns;
	const char		*adding;	/* the peer name of the one
						   being handed over */
};

enum move { STUCK, MOVED, BROKEN };

static bool
would_block(void)
{
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

static void
close_conn(struct conn *c)
{
	struct sdc_http_relay *r = c->r;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		r->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	r->nconns--;
	sdc_loop_unwatch(c->tcp_w);
	sdc_loop_unwatch(c->pair_w);
	sdc_loop_timer_free(c->deadline);
	sdc_tls_free(c->tls);
	close(c->tcp);
	close(c->pair);
	if (c->theirs >= 0)
		close(c->theirs);
	free(c->in.buf);
	free(c->out.buf);
	free(c);
}

/* A client whose TLS never began is refused, said and counted. */
static void
refuse(struct conn *c, const char *why)
{
	sdc_warnx("%s: %s", c->peer, why);
	(*c->r->env.refused)++;
	close_conn(c);
}

static enum move
from_client(struct conn *c)
{
	ssize_t n;

	if (c->in.len > 0 || c->in.eof)
		return STUCK;
	n = sdc_tls_read(c->tls, c->in.buf, RELAY_BUF);
	c->read_wants = 0;
	if (n == SDC_TLS_WANT) {
		c->read_wants = sdc_tls_wants(c->tls);
		return STUCK;
	}
	if (n == SDC_TLS_ERROR) {
		sdc_warnx("%s: %s", c->peer, sdc_tls_error(c->tls));
		return BROKEN;
	}
	c->in.off = 0;
	c->in.len = (size_t)n;
	c->in.eof = n == 0;
	return MOVED;
}

/* A daemon that closed its end wants no more: the rest is dropped. */
static enum move
to_daemon(struct conn *c)
{
	ssize_t n;

	if (c->in.len == 0) {
		if (!c->in.eof || c->half_closed)
			return STUCK;
		(void)shutdown(c->pair, SHUT_WR);
		c->half_closed = true;
		return MOVED;
	}
	n = send(c->pair, c->in.buf + c->in.off, c->in.len, MSG_NOSIGNAL);
	if (n < 0 && would_block())
		return STUCK;
	if (n < 0) {
		c->in.len = 0;
		c->in.eof = c->half_closed = true;
		return MOVED;
	}
	c->in.off += (size_t)n;
	c->in.len -= (size_t)n;
	return MOVED;
}

static enum move
from_daemon(struct conn *c)
{
	ssize_t n;

	if (c->out.len > 0 || c->out.eof)
		return STUCK;
	n = recv(c->pair, c->out.buf, RELAY_BUF, 0);
	if (n < 0 && would_block())
		return STUCK;
	c->out.off = 0;
	c->out.len = n > 0 ? (size_t)n : 0;
	c->out.eof = n <= 0;
	return MOVED;
}

static enum move
to_client(struct conn *c)
{
	ssize_t n;

	if (c->out.len == 0)
		return STUCK;
	n = sdc_tls_write(c->tls, c->out.buf + c->out.off, c->out.len);
	c->write_wants = 0;
	if (n == SDC_TLS_WANT) {
		c->write_wants = sdc_tls_wants(c->tls);
		return STUCK;
	}
	if (n == SDC_TLS_ERROR) {
		sdc_warnx("%s: %s", c->peer, sdc_tls_error(c->tls));
		return BROKEN;
	}
	c->out.off += (size_t)n;
	c->out.len -= (size_t)n;
	return MOVED;
}

static unsigned
loop_events(unsigned tls_wants)
{
	return (tls_wants & SDC_TLS_WANT_READ ? SDC_LOOP_READ : 0) |
	    (tls_wants & SDC_TLS_WANT_WRITE ? SDC_LOOP_WRITE : 0);
}

/* Each side is watched for what the direction stuck on it waits for. */
static void
watch(struct conn *c)
{
	unsigned tcp = 0, pair = 0;

	if (c->handshaking)
		tcp = loop_events(sdc_tls_wants(c->tls));
	else {
		if (c->in.len == 0 && !c->in.eof)
			tcp |= c->read_wants != 0 ?
			    loop_events(c->read_wants) : SDC_LOOP_READ;
		if (c->out.len > 0)
			tcp |= c->write_wants != 0 ?
			    loop_events(c->write_wants) : SDC_LOOP_WRITE;
		if (c->in.len > 0)
			pair |= SDC_LOOP_WRITE;
		if (c->out.len == 0 && !c->out.eof)
			pair |= SDC_LOOP_READ;
	}
	sdc_loop_watch_events(c->tcp_w, tcp);
	if (c->pair_w != NULL)
		sdc_loop_watch_events(c->pair_w, pair);
}

/* The handshake done, the daemon takes the connection: false if not. */
static bool
hand_over(struct conn *c)
{
	struct sdc_http_relay *r = c->r;
	int theirs = c->theirs;
	enum MHD_Result ok;

	c->theirs = -1;		/* the daemon's to close, whatever it says */
	r->adding = sdc_tls_peer_name(c->tls);
	ok = MHD_add_connection(r->env.daemon, theirs,
	    (const struct sockaddr *)&c->addr, c->addr_len);
	r->adding = NULL;
	if (ok != MHD_YES) {
		sdc_warn("%s: libmicrohttpd did not take the connection",
		    c->peer);
		return false;
	}
	r->env.kick(r->env.kick_ctx);
	return true;
}

/* A step of the handshake: false when c is gone. */
static bool
handshake(struct conn *c)
{
	int h = sdc_tls_handshake(c->tls);

	if (h == SDC_TLS_WANT)
		return true;
	if (h == SDC_TLS_ERROR) {
		refuse(c, sdc_tls_error(c->tls));
		return false;
	}
	c->handshaking = false;
	sdc_loop_timer_disarm(c->deadline);
	c->in.buf = sdc_xmalloc(RELAY_BUF);
	c->out.buf = sdc_xmalloc(RELAY_BUF);
	if (!hand_over(c)) {
		close_conn(c);
		return false;
	}
	return true;
}

/* One round of each direction until neither moves. */
static enum move
relay(struct conn *c)
{
	enum move (*const steps[])(struct conn *) = { from_client, to_daemon,
	    from_daemon, to_client };
	bool moved;

	do {
		moved = false;
		for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
			enum move m = steps[i](c);

			if (m == BROKEN)
				return BROKEN;
			moved = moved || m == MOVED;
		}
	} while (moved);
	return STUCK;
}

/*
 * Everything that can move now moves; false when c is gone.  Once the
 * daemon has closed its end, the last bytes go out for a while at most.
 */
static bool
pump(struct conn *c)
{
	if (c->handshaking && !handshake(c))
		return false;
	if (!c->handshaking && relay(c) == BROKEN) {
		close_conn(c);
		return false;
	}
	if (c->out.eof && c->out.len == 0) {
		sdc_tls_shutdown(c->tls);
		close_conn(c);
		return false;
	}
	if (c->out.eof && !c->lingering) {
		c->lingering = true;
		sdc_loop_timer_arm(c->deadline, LINGER);
	}
	watch(c);
	return true;
}

/* A client that resets or breaks its connection is gone at once. */
static void
on_tcp(void *ctx, int fd, unsigned events)
{
	struct conn *c = ctx;

	(void)fd;
	if (!pump(c) || !(events & SDC_LOOP_HANGUP))
		return;
	if (c->handshaking)
		refuse(c, "TLS handshake: the connection broke");
	else
		close_conn(c);
}

/*
 * A daemon that closed its end leaves the rest in ours, to be read
 * without waiting: the end is no longer watched, as epoll would say
 * so again and again.
 */
static void
on_pair(void *ctx, int fd, unsigned events)
{
	struct conn *c = ctx;

	(void)fd;
	if (events & SDC_LOOP_HANGUP) {
		sdc_loop_unwatch(c->pair_w);
		c->pair_w = NULL;
	}
	pump(c);
}

static void
on_deadline(void *ctx)
{
	struct conn *c = ctx;

	if (c->handshaking)
		refuse(c, "TLS handshake: not done within --idle-timeout");
	else
		close_conn(c);
}

static void
add_conn(struct sdc_http_relay *r, int fd, const struct sockaddr_storage *ss,
    socklen_t len)
{
	struct conn *c;
	int sv[2];

	/* As libmicrohttpd does past its limit. */
	if (r->nconns >= r->env.max_connections) {
		close(fd);
		return;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) != 0) {
		sdc_warn("http: a socketpair");
		close(fd);
		return;
	}
	c = sdc_xcalloc(1, sizeof(*c));
	c->r = r;
	c->tcp = fd;
	c->pair = sv[0];
	c->theirs = sv[1];
	c->addr = *ss;
	c->addr_len = len;
	sdc_net_sockaddr_name((const struct sockaddr *)ss, c->peer,
	    sizeof c->peer);
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 },
	    sizeof(int));
	c->tls = sdc_tls_new(r->env.ctx, fd);
	c->handshaking = true;
	c->next = r->conns;
	if (r->conns != NULL)
		r->conns->prev = c;
	r->conns = c;
	r->nconns++;
	c->deadline = sdc_loop_timer(r->env.loop, on_deadline, c);
	if (r->env.handshake_timeout > 0)
		sdc_loop_timer_arm(c->deadline, r->env.handshake_timeout);
	c->tcp_w = sdc_loop_watch(r->env.loop, fd, SDC_LOOP_READ, on_tcp, c);
	c->pair_w = sdc_loop_watch(r->env.loop, c->pair, 0, on_pair, c);
	(*r->env.connections)++;
}

static void
on_accept(void *ctx, int fd, unsigned events)
{
	struct sdc_http_relay *r = ctx;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	int c;

	(void)events;
	while ((c = accept4(fd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		add_conn(r, c, &ss, len);
		len = sizeof ss;
	}
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM) {
		sdc_warn("http: accept");
		sdc_loop_watch_events(r->listen_w, 0);
		sdc_loop_timer_arm(r->accept_again, ACCEPT_PAUSE);
	}
}

static void
accept_again(void *ctx)
{
	struct sdc_http_relay *r = ctx;

	if (r->listen_w != NULL)
		sdc_loop_watch_events(r->listen_w, SDC_LOOP_READ);
}

struct sdc_http_relay *
sdc_http_relay_new(const struct sdc_http_relay_env *env, int listen_fd)
{
	struct sdc_http_relay *r = sdc_xcalloc(1, sizeof(*r));

	r->env = *env;
	r->listen_fd = listen_fd;
	r->listen_w = sdc_loop_watch(env->loop, listen_fd, SDC_LOOP_READ,
	    on_accept, r);
	r->accept_again = sdc_loop_timer(env->loop, accept_again, r);
	return r;
}

void
sdc_http_relay_quiesce(struct sdc_http_relay *r)
{
	sdc_loop_unwatch(r->listen_w);
	r->listen_w = NULL;
}

void
sdc_http_relay_pump(struct sdc_http_relay *r)
{
	for (struct conn *c = r->conns, *next; c != NULL; c = next) {
		next = c->next;
		pump(c);
	}
}

void
sdc_http_relay_free(struct sdc_http_relay *r)
{
	if (r == NULL)
		return;
	sdc_http_relay_pump(r);
	while (r->conns != NULL)
		close_conn(r->conns);
	sdc_loop_unwatch(r->listen_w);
	sdc_loop_timer_free(r->accept_again);
	free(r);
}

void
sdc_http_relay_notify(struct sdc_http_relay *r, void **socket_ctx,
    enum MHD_ConnectionNotificationCode what)
{
	if (what == MHD_CONNECTION_NOTIFY_STARTED && r != NULL &&
	    r->adding != NULL && r->adding[0] != '\0')
		*socket_ctx = sdc_xstrdup(r->adding);
	else if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
		free(*socket_ctx);
		*socket_ctx = NULL;
	}
}

const char *
sdc_http_relay_peer(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}
