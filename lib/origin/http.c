/*
 * The http origin: an HTTP/1.1 server (libmicrohttpd) taking POST and
 * PUT bodies, run from the loop: the daemon's epoll fd is watched, and
 * a timer follows the daemon's own timeouts.  The listening socket is
 * bound here, so that addresses and port 0 behave as everywhere else;
 * with --tls-cert its connections are accepted by the TLS relay
 * (http-tls-relay.h), which hands them to the daemon decrypted.
 */
#include <microhttpd.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "diag.h"
#include "http-origin.h"
#include "ingest.h"
#include "loop.h"
#include "origin.h"
#include "xalloc.h"
#include "banned.h"

#define STOP_GRACE	2.0	/* seconds to send the last answers */

static void
pump(struct sdc_http_origin *ho)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(ho->daemon);
	if (MHD_get_timeout(ho->daemon, &ms) == MHD_YES)
		sdc_loop_timer_arm(ho->tick, (double)ms / 1000);
	else
		sdc_loop_timer_disarm(ho->tick);
}

static void
on_ready(void *ctx, int fd, unsigned events)
{
	(void)fd;
	(void)events;
	pump(ctx);
}

static void
on_tick(void *ctx)
{
	pump(ctx);
}

void
sdc_http_kick(struct sdc_http_origin *ho)
{
	sdc_loop_timer_arm(ho->tick, 0);
}

/* Full: bodies wait (--busy wait) or are turned away (503); else resume. */
static void
on_pressure(void *ctx, bool full)
{
	struct sdc_http_origin *ho = ctx;

	ho->full = full;
	while (!full && ho->paused.first != NULL)
		sdc_http_resume(ho->paused.first, SDC_HTTP_READING);
}

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode what)
{
	struct sdc_http_origin *ho = cls;

	(void)conn;
	/* The relay counts those it accepts, handshake or not. */
	if (what == MHD_CONNECTION_NOTIFY_STARTED && ho->tls == NULL)
		ho->ing->n.connections++;
	sdc_http_relay_notify(ho->relay, socket_ctx, what);
}

/* libmicrohttpd's messages matter while it starts; later they are per peer. */
static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
	const struct sdc_http_origin *ho = cls;

	if (ho->daemon == NULL)
		sdc_vwarnx(fmt, ap);
}

/* Room for --max-connections descriptors, as far as the limit allows. */
static void
raise_fd_limit(unsigned connections)
{
	struct rlimit r;
	rlim_t want = (rlim_t)connections + 64;

	if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= want)
		return;
	r.rlim_cur = r.rlim_max == RLIM_INFINITY || r.rlim_max > want ?
	    want : r.rlim_max;
	setrlimit(RLIMIT_NOFILE, &r);
}

static int
bind_listener(struct sdc_http_origin *ho)
{
	char err[512];
	int fd;

	if ((fd = sdc_net_listen(&ho->addr, err, sizeof err)) < 0)
		sdc_errx(SDC_EXIT_IO, "%s", err);
	if (!sdc_net_set_nonblocking(fd, true))
		sdc_err(SDC_EXIT_IO, "%s", ho->addr.text);
	sdc_net_local_name(fd, ho->where, sizeof ho->where);
	return fd;
}

static struct MHD_Daemon *
start_daemon(struct sdc_http_origin *ho, int fd)
{
	const struct sdc_http_opts *o = ho->opt;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_ERROR_LOG;
	struct MHD_OptionItem ops[8];
	size_t n = 0;

#define OPT(o, v, p)	ops[n++] = (struct MHD_OptionItem){ o, v, p }
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)log_mhd, ho);
	if (ho->tls != NULL)
		flags |= MHD_USE_NO_LISTEN_SOCKET;
	else
		OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->idle_timeout, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)sdc_http_completed, ho);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, ho);
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, 0, NULL, NULL,
	    sdc_http_handle, ho,
	    MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
}

static void
watch_daemon(struct sdc_http_origin *ho)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(ho->daemon,
	    MHD_DAEMON_INFO_EPOLL_FD);

	if (info == NULL)
		sdc_errx(SDC_EXIT_IO, "http: no epoll fd from libmicrohttpd");
	ho->watch = sdc_loop_watch(ho->ing->loop, info->epoll_fd,
	    SDC_LOOP_READ, on_ready, ho);
	ho->tick = sdc_loop_timer(ho->ing->loop, on_tick, ho);
	sdc_loop_timer_arm(ho->tick, 0);
}

static void
kick(void *ctx)
{
	sdc_http_kick(ctx);
}

static void
start_relay(struct sdc_http_origin *ho, int fd)
{
	struct sdc_http_relay_env env = {
		.loop = ho->ing->loop,
		.daemon = ho->daemon,
		.ctx = ho->tls,
		.handshake_timeout = ho->opt->idle_timeout,
		.max_connections = ho->opt->max_connections,
		.connections = &ho->ing->n.connections,
		.refused = &ho->ing->n.refused,
		.kick = kick,
		.kick_ctx = ho,
	};

	ho->listen_fd = fd;
	ho->relay = sdc_http_relay_new(&env, fd);
}

static void
check_options(const struct sdc_http_opts *o)
{
	if (o->listen == NULL)
		sdc_usage_error("http: --listen ADDR:PORT is required");
	sdc_tls_server_check(&o->tls, "http");
	if (o->app_id_in_query && o->app_id == NULL)
		sdc_usage_error("http: --app-id-in-query needs --app-id");
}

static void *
http_start(struct sdc_ingest *ing, const void *opts, int argc,
    char *const *argv)
{
	struct sdc_http_origin *ho = sdc_xcalloc(1, sizeof(*ho));
	const char *reason;
	int fd;

	ho->ing = ing;
	ho->opt = opts;
	ho->listen_fd = -1;
	if (argc > 0)
		sdc_usage_error("http: unexpected operand '%s'", argv[0]);
	check_options(ho->opt);
	if (!sdc_net_parse(&ho->addr, ho->opt->listen, &reason))
		sdc_usage_error("--listen: '%s': %s", ho->opt->listen, reason);
	if (ho->opt->basic_auth_file != NULL)
		sdc_secret_load(&ho->users, ho->opt->basic_auth_file, NULL,
		    "users", "--basic-auth-file");
	/* A client certificate is checked in the handshake, its absence
	 * answered 403 (check_request). */
	ho->tls = sdc_tls_server_context(&ho->opt->tls, true);
	raise_fd_limit(ho->opt->max_connections * (ho->tls != NULL ? 3 : 1));
	fd = bind_listener(ho);
	if ((ho->daemon = start_daemon(ho, fd)) == NULL)
		sdc_errx(SDC_EXIT_IO, "http: %s: libmicrohttpd would not "
		    "start", ho->where);
	watch_daemon(ho);
	if (ho->tls != NULL)
		start_relay(ho, fd);
	sdc_loop_on_pressure(ing->loop, on_pressure, ho);
	sdc_loop_on_written(ing->loop, sdc_http_on_written, ho);
	if (!ing->run->opt.dry_run)
		sdc_warnx("http: listening on %s", ho->where);
	return ho;
}

static void
resume_all(struct sdc_http_list *l, enum sdc_http_state state)
{
	while (l->first != NULL)
		sdc_http_resume(l->first, state);
}

/*
 * Stop taking requests; bodies not yet taken are dropped (their clients
 * see no 200 and send again), those taken are written and answered,
 * for a moment at most.  Idle connections are not waited for.
 */
static void
finish(struct sdc_http_origin *ho)
{
	MHD_socket lfd;
	double until = sdc_uptime() + STOP_GRACE;

	ho->stopping = true;
	if ((lfd = MHD_quiesce_daemon(ho->daemon)) != MHD_INVALID_SOCKET)
		close(lfd);
	if (ho->relay != NULL) {
		sdc_http_relay_quiesce(ho->relay);
		close(ho->listen_fd);
		ho->listen_fd = -1;
	}
	resume_all(&ho->paused, SDC_HTTP_DROPPED);
	sdc_loop_drain(ho->ing->loop);
	resume_all(&ho->waiting, SDC_HTTP_WRITTEN);
	/* The loop no longer runs: the relay is driven from here. */
	while (ho->requests > 0 && sdc_uptime() < until) {
		MHD_run_wait(ho->daemon, ho->relay != NULL ? 10 : 50);
		if (ho->relay != NULL)
			sdc_http_relay_pump(ho->relay);
	}
}

static void
http_stop(void *state)
{
	struct sdc_http_origin *ho = state;

	if (ho->daemon != NULL) {
		finish(ho);
		resume_all(&ho->paused, SDC_HTTP_DROPPED);
		resume_all(&ho->waiting, SDC_HTTP_DROPPED);
		MHD_run(ho->daemon);
		MHD_stop_daemon(ho->daemon);
	}
	sdc_loop_forget(ho->ing->loop, ho);
	sdc_http_relay_free(ho->relay);
	if (ho->listen_fd >= 0)
		close(ho->listen_fd);
	sdc_tls_ctx_free(ho->tls);
	sdc_loop_unwatch(ho->watch);
	sdc_loop_timer_free(ho->tick);
	sdc_secret_release(&ho->users);
	free(ho);
}

static void
opts_init(void *opts)
{
	struct sdc_http_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->max_connections = 4096;
	o->idle_timeout = 60;
}

SDC_TLS_SERVER_FIRST(struct sdc_http_opts, tls);

#define OPTS(p)	((struct sdc_http_opts *)(p))

static void
set_listen(void *p, const char *opt, const char *arg)
{
	(void)opt;
	OPTS(p)->listen = arg;
}

static void
set_app_id(void *p, const char *opt, const char *arg)
{
	if (arg[0] == '\0')
		sdc_usage_error("%s: an empty application id", opt);
	OPTS(p)->app_id = arg;
}

static void
set_app_id_in_query(void *p, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	OPTS(p)->app_id_in_query = true;
}

static void
set_basic_auth_file(void *p, const char *opt, const char *arg)
{
	(void)opt;
	OPTS(p)->basic_auth_file = arg;
}

static void
set_max_connections(void *p, const char *opt, const char *arg)
{
	unsigned long n = sdc_parse_count(opt, arg);

	if (n == 0 || n > 1000000)
		sdc_usage_error("%s must be between 1 and 1000000", opt);
	OPTS(p)->max_connections = (unsigned)n;
}

static void
set_idle_timeout(void *p, const char *opt, const char *arg)
{
	double s = sdc_parse_duration(opt, arg);

	if (s != 0 && s < 1)
		sdc_usage_error("%s: at least 1s, or 0 for none", opt);
	OPTS(p)->idle_timeout = s > 86400 ? 86400 : s;
}

static void
set_busy(void *p, const char *opt, const char *arg)
{
	static const char *const words[] = { "wait", "503", NULL };

	OPTS(p)->busy = (enum sdc_http_busy)sdc_parse_word(opt, arg, words);
}

static const struct sdc_plugin_option options[] = {
	{ "listen", 0, "ADDR:PORT", "take requests on ADDR:PORT (port 0: "
	  "any free one)", set_listen },
	{ "app-id", 0, "ID", "require ID in the X-SDC-APPLICATION-ID "
	  "header", set_app_id },
	{ "app-id-in-query", 0, NULL, "or as the sdcApplicationId query "
	  "parameter", set_app_id_in_query },
	{ "basic-auth-file", 0, "FILE", "require basic auth as a "
	  "user:password line of FILE", set_basic_auth_file },
	{ "max-connections", 0, "N", "at most N connections at once "
	  "(default 4096)", set_max_connections },
	{ "idle-timeout", 0, "DURATION", "close connections idle that long "
	  "(60s; 0: never)", set_idle_timeout },
	{ "busy", 0, "MODE", "while the output is full: wait "
	  "(default) or 503", set_busy },
	SDC_TLS_SERVER_OPTIONS("HTTPS"),
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_origin sdc_origin_http = {
	.name = "http",
	.summary = "an HTTP/1.1 server taking POST and PUT bodies",
	.operands = NULL,
	.options = options,
	.opts_size = sizeof(struct sdc_http_opts),
	.opts_init = opts_init,
	.start = http_start,
	.stop = http_stop,
};
