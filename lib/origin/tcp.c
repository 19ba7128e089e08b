/*
 * The tcp origin: listening sockets (--listen, several), any number of
 * connections, each cut into messages by its framer (framing.h), each
 * message a payload.  While the output is full no connection is read,
 * so that TCP's own flow control slows the peers down: nothing is read
 * that cannot be written.  With --tls-cert each connection is TLS
 * (lib/tls.h, OpenSSL), its handshake driven by the loop like its reads.
 */
/* accept4 and SOCK_NONBLOCK are Linux's. */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "buf.h"
#include "cli.h"
#include "diag.h"
#include "framing.h"
#include "ingest.h"
#include "loop.h"
#include "net.h"
#include "origin.h"
#include "tls-options.h"
#include "tls.h"
#include "xalloc.h"
#include "banned.h"

#define TCP_LISTEN_MAX	16
#define TCP_READ	(64u << 10)
#define READS_A_TURN	4	/* per connection, before the others' turn */
#define DRAIN_READS	256	/* per connection, at the stop */
#define ACCEPT_PAUSE	0.1	/* seconds, when out of fds */

struct tcp_opts {
	struct sdc_tls_server_opts tls;
	const char	*listen[TCP_LISTEN_MAX];
	int		 nlisten;
	int		 framing;
	uint8_t		 sep[16];
	size_t		 sep_len;
	const char	*port_file;
};
SDC_TLS_SERVER_FIRST(struct tcp_opts, tls);

struct tcp_origin;

struct listener {
	struct tcp_origin	*t;
	int			 fd;
	struct sdc_watch	*w;
	char			 name[SDC_NET_NAME_LEN];	/* as bound */
};

struct conn {
	struct tcp_origin	*t;
	struct conn		*prev, *next;
	int			 fd;
	struct sdc_watch	*w;
	struct sdc_framer	 framer;
	struct sdc_buf		 in;
	uint64_t		 offset;	/* of in.data[0] on the stream */
	char			 host[64];
	char			 port[8];
	char			 name[80];	/* "host:port@" */
	char			 received[24];	/* of the last read, in ms */
	size_t			 name_len;
	const char		*local;		/* its listener's name */
	struct sdc_tls		*tls;		/* NULL: plain TCP */
	bool			 handshaking;
};

struct tcp_origin {
	struct sdc_ingest	*ing;
	const struct tcp_opts	*opt;
	struct listener		 l[TCP_LISTEN_MAX];
	int			 nl;
	struct conn		*conns;
	struct sdc_timer	*accept_again;
	struct sdc_tls_ctx	*tls;		/* NULL: plain TCP */
	bool			 full;
};

static void
set_meta(const struct conn *c, struct sdc_meta *m, uint64_t at)
{
	sdc_meta_clear(m);
	sdc_meta_add(m, "remoteAddress", c->host);
	sdc_meta_add(m, "remotePort", c->port);
	sdc_meta_add(m, "localAddress", c->local);
	sdc_meta_add_u64(m, "offset", at);
	sdc_meta_add(m, "receivedAt", c->received);
	if (c->tls != NULL && sdc_tls_peer_name(c->tls)[0] != '\0')
		sdc_meta_add(m, "tlsPeer", sdc_tls_peer_name(c->tls));
}

/* "host:port@offset", the prefix made once per connection. */
static void
payload_name(const struct conn *c, uint64_t at, char *name, size_t len)
{
	if (c->name_len + 21 > len) {
		name[0] = '\0';
		return;
	}
	memcpy(name, c->name, c->name_len);
	name[c->name_len + sdc_u64_text(name + c->name_len, at)] = '\0';
}

static void
refuse(struct conn *c, uint64_t at, const struct sdc_framed *fr,
    const char *code, const char *why)
{
	struct sdc_meta m;
	char name[160];

	payload_name(c, at, name, sizeof name);
	set_meta(c, &m, at);
	sdc_ingest_refuse(c->t->ing, name, &m, fr->p, fr->n, code, "%s", why);
}

static void
too_large(struct conn *c, uint64_t at, const struct sdc_framed *fr)
{
	char why[160];

	if (fr->size > 0)
		snprintf(why, sizeof why, "message of %llu bytes, larger than "
		    "%zu (see --max-message-size)",
		    (unsigned long long)fr->size, c->t->ing->opt.max_message);
	else
		snprintf(why, sizeof why, "message longer than %zu bytes "
		    "(see --max-message-size)", c->t->ing->opt.max_message);
	refuse(c, at, fr, "INGEST_TOO_LARGE", why);
}

static void
deliver(struct conn *c, uint64_t at, const struct sdc_framed *fr)
{
	struct sdc_meta m;
	char name[160];

	payload_name(c, at, name, sizeof name);
	set_meta(c, &m, at);
	sdc_ingest_payload(c->t->ing, name, &m, fr->p, fr->n);
}

static void
close_conn(struct conn *c)
{
	struct tcp_origin *t = c->t;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		t->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	sdc_loop_unwatch(c->w);
	sdc_tls_free(c->tls);
	close(c->fd);
	sdc_buf_release(&c->in);
	free(c);
}

/* The whole frames buffered: false when the connection must end. */
static bool
cut_frames(struct conn *c, bool eof)
{
	size_t pos = 0;

	for (;;) {
		struct sdc_framed fr;
		uint64_t at = c->offset + pos;

		sdc_framer_next(&c->framer, c->in.data + pos, c->in.len - pos,
		    eof, &fr);
		pos += fr.used;
		if (fr.kind == SDC_FRAMED_MESSAGE)
			deliver(c, at, &fr);
		else if (fr.kind == SDC_FRAMED_TOO_LARGE)
			too_large(c, at, &fr);
		else if (fr.kind == SDC_FRAMED_BAD) {
			fr.p = c->in.data + pos;
			fr.n = c->in.len - pos < 256 ? c->in.len - pos : 256;
			refuse(c, at, &fr, "INGEST_BAD_FRAME", fr.reason);
			return false;
		} else if (fr.used == 0)
			break;
	}
	memmove(c->in.data, c->in.data + pos, c->in.len - pos);
	c->in.len -= pos;
	c->offset += pos;
	return true;
}

/* The time of a read is that of every message it completes. */
static void
note_time(struct conn *c)
{
	int64_t now = sdc_now_ms();

	c->received[sdc_u64_text(c->received, now > 0 ? (uint64_t)now : 0)] =
	    '\0';
}

enum read_end { READ_TURN_OVER, READ_DRAINED, READ_CLOSED };

/* The events the connection waits for now: what TLS wants, else reads. */
static unsigned
wanted(const struct conn *c)
{
	unsigned w = c->tls != NULL ? sdc_tls_wants(c->tls) : 0;

	if (w & SDC_TLS_WANT_WRITE)
		return SDC_LOOP_WRITE;
	return c->t->full && !c->handshaking ? 0 : SDC_LOOP_READ;
}

/* A step of the TLS handshake: false when it failed (said why). */
static bool
handshake(struct conn *c)
{
	int r = sdc_tls_handshake(c->tls);

	if (r == 0)
		c->handshaking = false;
	else if (r == SDC_TLS_ERROR) {
		sdc_warnx("%s:%s: %s", c->host, c->port, sdc_tls_error(c->tls));
		c->t->ing->n.refused++;
		return false;
	}
	sdc_loop_watch_events(c->w, wanted(c));
	return true;
}

/* Bytes into p: > 0 read, 0 the end, -1 nothing now, -2 broken (said). */
static ssize_t
conn_read(struct conn *c, void *p, size_t n)
{
	ssize_t k;

	if (c->tls == NULL) {
		do
			k = read(c->fd, p, n);
		while (k < 0 && errno == EINTR);
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -1;
		if (k < 0)
			sdc_warn("%s:%s", c->host, c->port);
		return k < 0 ? -2 : k;
	}
	k = sdc_tls_read(c->tls, p, n);
	if (k == SDC_TLS_WANT) {
		sdc_loop_watch_events(c->w, wanted(c));
		return -1;
	}
	if (k == SDC_TLS_ERROR)
		sdc_warnx("%s:%s: %s", c->host, c->port, sdc_tls_error(c->tls));
	return k == SDC_TLS_ERROR ? -2 : k;
}

/*
 * Up to turns reads, as the output allows (all when draining); more
 * while TLS holds bytes it has decrypted, which no event will announce.
 */
static enum read_end
read_conn(struct conn *c, int turns, bool draining)
{
	if (c->handshaking && !handshake(c))
		return READ_CLOSED;
	if (c->handshaking)
		return READ_DRAINED;
	for (int k = 0; (k < turns || (c->tls != NULL &&
	    sdc_tls_pending(c->tls) > 0)) && (draining || !c->t->full); k++) {
		ssize_t n;

		if (!sdc_buf_reserve(&c->in, TCP_READ) &&
		    !sdc_buf_reserve(&c->in, c->in.max - c->in.len))
			return READ_CLOSED;
		if (c->in.cap == c->in.len)
			return READ_CLOSED;	/* the framer prevents it */
		n = conn_read(c, c->in.data + c->in.len, c->in.cap - c->in.len);
		if (n == -1)
			return READ_DRAINED;
		if (n <= 0) {
			cut_frames(c, true);
			return READ_CLOSED;
		}
		c->in.len += (size_t)n;
		note_time(c);
		if (!cut_frames(c, false))
			return READ_CLOSED;
	}
	return READ_TURN_OVER;
}

static void
on_conn(void *ctx, int fd, unsigned events)
{
	struct conn *c = ctx;

	(void)fd;
	if (events & (SDC_LOOP_READ | SDC_LOOP_WRITE | SDC_LOOP_HANGUP) &&
	    read_conn(c, READS_A_TURN, false) == READ_CLOSED)
		close_conn(c);
}

static void
peer_of(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) != 0 ||
	    getnameinfo((struct sockaddr *)&ss, len, c->host, sizeof c->host,
	    c->port, sizeof c->port, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		snprintf(c->host, sizeof c->host, "unknown");
		snprintf(c->port, sizeof c->port, "0");
	}
}

static void
add_conn(struct listener *l, int fd)
{
	struct tcp_origin *t = l->t;
	struct conn *c = sdc_xcalloc(1, sizeof(*c));
	size_t max = t->ing->opt.max_message;

	c->t = t;
	c->fd = fd;
	c->local = l->name;
	/* A peer that vanished without a word is found out, at length. */
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &(int){ 1 },
	    sizeof(int));
	peer_of(c);
	snprintf(c->name, sizeof c->name, "%s:%s@", c->host, c->port);
	c->name_len = strlen(c->name);
	sdc_framer_init(&c->framer, (enum sdc_framing)t->opt->framing,
	    t->opt->sep, t->opt->sep_len, max);
	/* A message, its header and its separator: never more. */
	sdc_buf_init(&c->in, max + 32);
	c->next = t->conns;
	if (t->conns != NULL)
		t->conns->prev = c;
	t->conns = c;
	if (t->tls != NULL) {
		c->tls = sdc_tls_new(t->tls, fd);
		c->handshaking = true;
	}
	c->w = sdc_loop_watch(t->ing->loop, fd, wanted(c), on_conn, c);
	t->ing->n.connections++;
}

static void
listen_all(struct tcp_origin *t, unsigned events)
{
	for (int i = 0; i < t->nl; i++)
		sdc_loop_watch_events(t->l[i].w, events);
}

static void
on_accept(void *ctx, int fd, unsigned events)
{
	struct listener *l = ctx;
	int c;

	(void)events;
	while ((c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >=
	    0)
		add_conn(l, c);
	if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
	    errno == ENOMEM) {
		sdc_warn("%s: accept", l->name);
		listen_all(l->t, 0);
		sdc_loop_timer_arm(l->t->accept_again, ACCEPT_PAUSE);
	}
}

static void
accept_again(void *ctx)
{
	listen_all(ctx, SDC_LOOP_READ);
}

static void
on_pressure(void *ctx, bool full)
{
	struct tcp_origin *t = ctx;

	t->full = full;
	for (struct conn *c = t->conns, *next; c != NULL; c = next) {
		next = c->next;
		sdc_loop_watch_events(c->w, wanted(c));
		/* What TLS decrypted before the pause has no event to come. */
		if (!full && c->tls != NULL && sdc_tls_pending(c->tls) > 0 &&
		    read_conn(c, READS_A_TURN, false) == READ_CLOSED)
			close_conn(c);
	}
}

static void
bind_one(struct tcp_origin *t, const char *text)
{
	struct listener *l = &t->l[t->nl];
	struct sdc_net_addr a;
	const char *reason;
	char err[512];

	if (!sdc_net_parse(&a, text, &reason))
		sdc_usage_error("--listen: '%s': %s", text, reason);
	if ((l->fd = sdc_net_listen(&a, err, sizeof err)) < 0)
		sdc_errx(SDC_EXIT_IO, "%s", err);
	sdc_net_set_nonblocking(l->fd, true);
	sdc_net_local_name(l->fd, l->name, sizeof l->name);
	l->t = t;
	l->w = sdc_loop_watch(t->ing->loop, l->fd, SDC_LOOP_READ, on_accept, l);
	t->nl++;
}

/* The addresses bound, a line each, for tests and scripts (port 0). */
static void
write_port_file(const struct tcp_origin *t, const char *path)
{
	char tmp[4096];
	FILE *fp;
	bool ok;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL)
		sdc_err(SDC_EXIT_IO, "%s", tmp);
	ok = true;
	for (int i = 0; i < t->nl; i++)
		ok = fprintf(fp, "%s\n", t->l[i].name) > 0 && ok;
	if (fclose(fp) != 0 || !ok || rename(tmp, path) != 0)
		sdc_err(SDC_EXIT_IO, "%s", path);
}

static void *
tcp_start(struct sdc_ingest *ing, const void *opts, int argc,
    char *const *argv)
{
	const struct tcp_opts *o = opts;
	struct tcp_origin *t;

	if (argc > 0)
		sdc_usage_error("tcp takes no operands ('%s')", argv[0]);
	if (o->nlisten == 0)
		sdc_usage_error("tcp needs --listen ADDR:PORT");
	t = sdc_xcalloc(1, sizeof(*t));
	t->ing = ing;
	t->opt = o;
	sdc_tls_server_check(&o->tls, "tcp");
	t->tls = sdc_tls_server_context(&o->tls, false);
	t->accept_again = sdc_loop_timer(ing->loop, accept_again, t);
	for (int i = 0; i < o->nlisten; i++)
		bind_one(t, o->listen[i]);
	if (o->port_file != NULL)
		write_port_file(t, o->port_file);
	sdc_loop_on_pressure(ing->loop, on_pressure, t);
	return t;
}

/* A message begun and not finished when the stop came is not lost. */
static void
cut_by_stop(struct conn *c)
{
	struct sdc_framed fr = { .p = c->in.data, .n = c->in.len };

	if (c->in.len == 0 || c->framer.skip > 0 || c->framer.skip_line)
		return;
	refuse(c, c->offset, &fr, "INGEST_CUT", "stopped in the middle "
	    "of a message");
}

/*
 * What the kernel has taken (and acknowledged to the peers) is read
 * and written before the connections close.
 */
static void
tcp_stop(void *state)
{
	struct tcp_origin *t = state;

	for (int i = 0; i < t->nl; i++) {
		sdc_loop_unwatch(t->l[i].w);
		close(t->l[i].fd);
	}
	while (t->conns != NULL) {
		if (!t->ing->run->opt.dry_run &&
		    read_conn(t->conns, DRAIN_READS, true) != READ_CLOSED)
			cut_by_stop(t->conns);
		close_conn(t->conns);
	}
	sdc_loop_timer_free(t->accept_again);
	sdc_tls_ctx_free(t->tls);
	sdc_loop_forget(t->ing->loop, t);
	free(t);
}

/* Options. */
static void
opts_init(void *opts)
{
	struct tcp_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->framing = SDC_FRAMING_LINE;
	o->sep[0] = '\n';
	o->sep_len = 1;
}

static void
set_listen(void *opts, const char *opt, const char *arg)
{
	struct tcp_opts *o = opts;

	if (o->nlisten == TCP_LISTEN_MAX)
		sdc_usage_error("%s: at most %d addresses", opt,
		    TCP_LISTEN_MAX);
	o->listen[o->nlisten++] = arg;
}

static void
set_framing(void *opts, const char *opt, const char *arg)
{
	static const char *const words[] = { "line", "octet-count",
	    "length-prefix", "auto", "syslog", NULL };
	int w = sdc_parse_word(opt, arg, words);

	((struct tcp_opts *)opts)->framing = w == 4 ? SDC_FRAMING_AUTO : w;
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* One escape of the separator at s (after its backslash): its length. */
static size_t
unescape(const char *s, uint8_t *out, const char *opt, const char *arg)
{
	switch (s[0]) {
	case 'n': *out = '\n'; return 1;
	case 'r': *out = '\r'; return 1;
	case 't': *out = '\t'; return 1;
	case '0': *out = '\0'; return 1;
	case '\\': *out = '\\'; return 1;
	case 'x':
		if (hex_digit(s[1]) >= 0 && hex_digit(s[2]) >= 0) {
			*out = (uint8_t)(hex_digit(s[1]) << 4 |
			    hex_digit(s[2]));
			return 3;
		}
		break;
	}
	sdc_usage_error("%s: '%s': a bad escape (\\n, \\r, \\t, \\0, \\\\, "
	    "\\xHH)", opt, arg);
}

static void
set_separator(void *opts, const char *opt, const char *arg)
{
	struct tcp_opts *o = opts;
	size_t n = 0;

	for (const char *s = arg; *s != '\0'; n++) {
		if (n == sizeof o->sep)
			sdc_usage_error("%s: at most %zu bytes", opt,
			    sizeof o->sep);
		if (*s == '\\')
			s += 1 + unescape(s + 1, &o->sep[n], opt, arg);
		else
			o->sep[n] = (uint8_t)*s++;
	}
	if (n == 0)
		sdc_usage_error("%s: must not be empty", opt);
	o->sep_len = n;
}

static void
set_port_file(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	((struct tcp_opts *)opts)->port_file = arg;
}

static const struct sdc_plugin_option options[] = {
	{ "listen", 0, "ADDR:PORT", "listen there (again for more; port 0: "
	  "any free one)", set_listen },
	{ "framing", 0, "MODE", "line, octet-count, length-prefix, or auto "
	  "(syslog) (line)", set_framing },
	{ "separator", 0, "STRING", "what ends a line message (default \\n)",
	  set_separator },
	{ "port-file", 0, "FILE", "write the addresses bound to FILE, one a "
	  "line", set_port_file },
	SDC_TLS_SERVER_OPTIONS("TLS"),
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_origin sdc_origin_tcp = {
	.name = "tcp",
	.summary = "a TCP server: messages framed by line, octet count or "
	    "length",
	.operands = NULL,
	.options = options,
	.opts_size = sizeof(struct tcp_opts),
	.opts_init = opts_init,
	.start = tcp_start,
	.stop = tcp_stop,
};
