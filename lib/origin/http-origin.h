#ifndef SDC_HTTP_ORIGIN_H
#define SDC_HTTP_ORIGIN_H
/*
 * The http origin's parts: http.c runs a libmicrohttpd daemon from the
 * loop; http-request.c answers each request, a body one payload, and
 * holds its 200 until the records are written; http-auth.c checks the
 * application id and basic authentication; with --tls-cert,
 * http-tls-relay.c serves the TLS (OpenSSL's) in front of the daemon
 * and names each client's certificate.  The origin owns its requests;
 * each is freed when libmicrohttpd says it is complete.
 */
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ingest.h"
#include "net.h"
#include "http-tls-relay.h"
#include "secret.h"
#include "tls-options.h"
#include "tls.h"

enum sdc_http_busy { SDC_HTTP_BUSY_WAIT, SDC_HTTP_BUSY_503 };

struct sdc_http_opts {
	struct sdc_tls_server_opts tls;		/* first: tls-options.h */
	const char	*listen;
	const char	*app_id;
	bool		 app_id_in_query;
	const char	*basic_auth_file;
	unsigned	 max_connections;
	double		 idle_timeout;		/* seconds; 0: none */
	enum sdc_http_busy busy;
};

/* A list of requests, linked through their own links. */
struct sdc_http_list {
	struct sdc_http_req	*first, *last;
};

struct sdc_http_origin {
	struct sdc_ingest		*ing;
	const struct sdc_http_opts	*opt;
	struct sdc_net_addr		 addr;
	char				 where[SDC_NET_NAME_LEN];
	struct MHD_Daemon		*daemon;
	struct sdc_watch		*watch;
	struct sdc_timer		*tick;
	struct sdc_secret		 users;	/* "user:password" lines */
	int				 listen_fd;	/* ours with TLS */
	struct sdc_tls_ctx		*tls;		/* NULL: plain HTTP */
	struct sdc_http_relay		*relay;
	bool				 full, stopping;
	uint64_t			 seq;	/* requests, for names */
	size_t				 requests;	/* taken, not complete */
	struct sdc_http_list		 paused;	/* output full */
	struct sdc_http_list		 waiting;	/* for the output */
};

enum sdc_http_state {
	SDC_HTTP_READING,	/* the body is coming */
	SDC_HTTP_DISCARDING,	/* too large: the rest is dropped */
	SDC_HTTP_PAUSED,	/* suspended while the output is full */
	SDC_HTTP_WAITING,	/* suspended until its records are written */
	SDC_HTTP_WRITTEN,	/* to be answered 200 */
	SDC_HTTP_ANSWERED,	/* a response is queued */
	SDC_HTTP_DROPPED	/* to be closed unanswered (the run stops) */
};

struct sdc_http_req {
	struct sdc_http_origin	*ho;
	struct MHD_Connection	*conn;
	enum sdc_http_state	 state;
	struct sdc_http_req	*prev, *next;
	struct sdc_http_list	*on;		/* the list it is on, or NULL */
	struct sdc_buf		 body;
	const char		*encoding;	/* "gzip", "deflate" or NULL */
	uint64_t		 ack_at;	/* output end after its records */
	size_t			 discarded;	/* bytes past the limit */
	char			 name[SDC_NET_NAME_LEN + 24];
	struct sdc_meta		 meta;
};

/* The access handler and completion callback given to libmicrohttpd. */
enum MHD_Result sdc_http_handle(void *cls, struct MHD_Connection *conn,
	    const char *url, const char *method, const char *version,
	    const char *upload_data, size_t *upload_data_size, void **con_cls);
void	sdc_http_completed(void *cls, struct MHD_Connection *conn,
	    void **con_cls, enum MHD_RequestTerminationCode why);

void	sdc_http_list_add(struct sdc_http_list *l, struct sdc_http_req *r);
void	sdc_http_list_remove(struct sdc_http_req *r);
/* Resume a suspended request's connection, and run the daemon soon. */
void	sdc_http_resume(struct sdc_http_req *r, enum sdc_http_state state);
/* The output took more: those waiting for it are answered. */
void	sdc_http_on_written(void *ctx, uint64_t written);
void	sdc_http_kick(struct sdc_http_origin *ho);

/* http-auth.c: whether the request may go on. */
bool	sdc_http_app_id_ok(const struct sdc_http_origin *ho,
	    struct MHD_Connection *conn);
bool	sdc_http_user_ok(const struct sdc_http_origin *ho,
	    struct MHD_Connection *conn);
/*
 * Whether user:pass is one of the lines of users (each "user:password",
 * the password all after the first colon; LF or CRLF line ends).
 */
bool	sdc_http_users_match(const struct sdc_secret *users,
	    const char *user, const char *pass);


#endif
