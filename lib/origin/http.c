/*
 * The http origin: an HTTP/1.1 server (libmicrohttpd) taking POST and
 * PUT bodies, run from the loop: the daemon's epoll fd is watched, and
 * a timer follows the daemon's own timeouts.  The listening socket is
 * bound here, so that addresses and port 0 behave as everywhere else.
 */
#include <microhttpd.h>
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
	(void)socket_ctx;
	if (what == MHD_CONNECTION_NOTIFY_STARTED)
		ho->ing->n.connections++;
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
	struct MHD_OptionItem ops[12];
	size_t n = 0;

#define OPT(o, v, p)	ops[n++] = (struct MHD_OptionItem){ o, v, p }
	OPT(MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)log_mhd, ho);
	OPT(MHD_OPTION_LISTEN_SOCKET, fd, NULL);
	OPT(MHD_OPTION_CONNECTION_LIMIT, o->max_connections, NULL);
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->idle_timeout, NULL);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)sdc_http_completed, ho);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, ho);
	if (ho->tls_mem[0] != NULL) {
		flags |= MHD_USE_TLS;
		OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, ho->tls_mem[0]);
		OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, ho->tls_mem[1]);
		if (ho->key_password.data != NULL)
			OPT(MHD_OPTION_HTTPS_KEY_PASSWORD, 0,
			    ho->key_password.data);
		if (ho->tls_mem[2] != NULL)
			OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, ho->tls_mem[2]);
	}
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
check_options(const struct sdc_http_opts *o)
{
	if (o->listen == NULL)
		sdc_usage_error("http: --listen ADDR:PORT is required");
	if ((o->tls_cert == NULL) != (o->tls_key == NULL))
		sdc_usage_error("http: --tls-cert and --tls-key go together");
	if (o->tls_cert == NULL && (o->tls_ca != NULL ||
	    o->tls_verify_client))
		sdc_usage_error("http: --tls-ca and --tls-verify-client need "
		    "--tls-cert");
	if (o->tls_verify_client && o->tls_ca == NULL)
		sdc_usage_error("http: --tls-verify-client needs --tls-ca");
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
	if (argc > 0)
		sdc_usage_error("http: unexpected operand '%s'", argv[0]);
	check_options(ho->opt);
	if (!sdc_net_parse(&ho->addr, ho->opt->listen, &reason))
		sdc_usage_error("--listen: '%s': %s", ho->opt->listen, reason);
	if (ho->opt->basic_auth_file != NULL)
		sdc_secret_load(&ho->users, ho->opt->basic_auth_file, NULL,
		    "users", "--basic-auth-file");
	sdc_http_tls_load(ho);
	raise_fd_limit(ho->opt->max_connections);
	fd = bind_listener(ho);
	if ((ho->daemon = start_daemon(ho, fd)) == NULL)
		sdc_errx(SDC_EXIT_IO, "http: %s: libmicrohttpd would not "
		    "start", ho->where);
	watch_daemon(ho);
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
	resume_all(&ho->paused, SDC_HTTP_DROPPED);
	sdc_loop_drain(ho->ing->loop);
	resume_all(&ho->waiting, SDC_HTTP_WRITTEN);
	while (ho->requests > 0 && sdc_uptime() < until)
		MHD_run_wait(ho->daemon, 50);
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
	sdc_loop_unwatch(ho->watch);
	sdc_loop_timer_free(ho->tick);
	sdc_secret_release(&ho->users);
	sdc_http_tls_release(ho);
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

static void
set_tls_cert(void *p, const char *opt, const char *arg)
{
	(void)opt;
	OPTS(p)->tls_cert = arg;
}

static void
set_tls_key(void *p, const char *opt, const char *arg)
{
	(void)opt;
	OPTS(p)->tls_key = arg;
}

static void
set_tls_ca(void *p, const char *opt, const char *arg)
{
	(void)opt;
	OPTS(p)->tls_ca = arg;
}

static void
set_tls_key_password_file(void *p, const char *opt, const char *arg)
{
	(void)opt;
	OPTS(p)->tls_key_password_file = arg;
}

static void
set_tls_verify_client(void *p, const char *opt, const char *arg)
{
	(void)opt;
	(void)arg;
	OPTS(p)->tls_verify_client = true;
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
	{ "tls-cert", 0, "FILE", "serve HTTPS with the PEM certificates "
	  "of FILE", set_tls_cert },
	{ "tls-key", 0, "FILE", "the private key of --tls-cert (PEM)",
	  set_tls_key },
	{ "tls-ca", 0, "FILE", "check client certificates against "
	  "the CAs in FILE", set_tls_ca },
	{ "tls-verify-client", 0, NULL, "require a client certificate "
	  "signed by --tls-ca", set_tls_verify_client },
	{ "tls-key-password-file", 0, "FILE", "the passphrase of --tls-key "
	  "(else $" SDC_TLS_KEY_PASSWORD_ENV ")", set_tls_key_password_file },
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
