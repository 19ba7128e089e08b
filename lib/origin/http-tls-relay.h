#ifndef SDC_HTTP_TLS_RELAY_H
#define SDC_HTTP_TLS_RELAY_H
/*
 * HTTPS for the http origin through lib/tls.h (OpenSSL): the relay
 * accepts on the listening socket itself, drives each connection's TLS
 * session from the loop, and once its handshake is done hands
 * libmicrohttpd one end of a socketpair, with the client's address,
 * as if it were the client's socket.  The other end is relayed to the
 * session both ways through one fixed buffer each: a connection
 * libmicrohttpd stops reading fills its socketpair, then stops the
 * reads of TLS, and so the client's TCP window fills.
 *
 * The relay owns its connections and their fds, not the listening fd
 * nor the context.  The name of a client's verified certificate is
 * the socket context libmicrohttpd keeps for that connection.
 */
#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"
#include "tls.h"

struct sdc_http_relay;

struct sdc_http_relay_env {
	struct sdc_loop		*loop;
	struct MHD_Daemon	*daemon;
	struct sdc_tls_ctx	*ctx;
	double			 handshake_timeout;	/* seconds; 0: none */
	unsigned		 max_connections;	/* at once */
	uint64_t		*connections, *refused;	/* counters */
	void			(*kick)(void *ctx);	/* run the daemon soon */
	void			*kick_ctx;
};

struct sdc_http_relay *sdc_http_relay_new(const struct sdc_http_relay_env *env,
	    int listen_fd);
/* Accept no more; the connections go on. */
void	sdc_http_relay_quiesce(struct sdc_http_relay *r);
/* Move what can be moved now on every connection, without waiting. */
void	sdc_http_relay_pump(struct sdc_http_relay *r);
/* After the daemon's stop: the last bytes out, then every connection closed. */
void	sdc_http_relay_free(struct sdc_http_relay *r);

/* For MHD_OPTION_NOTIFY_CONNECTION: the connection's peer name. */
void	sdc_http_relay_notify(struct sdc_http_relay *r, void **socket_ctx,
	    enum MHD_ConnectionNotificationCode what);
/* The verified client certificate's common name of conn, or NULL. */
const char *sdc_http_relay_peer(struct MHD_Connection *conn);

#endif
