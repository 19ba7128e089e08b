#ifndef SDC_NET_H
#define SDC_NET_H
/*
 * TCP for the programs that talk over a network.  An address is
 * written HOST:PORT, [HOST]:PORT for an IPv6 literal; HOST is a name
 * or a literal resolved with getaddrinfo (IPv4 and IPv6), and an empty
 * HOST means every local address when listening, the loopback when
 * connecting.  Sockets are close-on-exec; the caller owns the fds
 * returned.  Failures return -1 with a message in err that names the
 * address, as "db1:7070: Connection refused".
 */
#include <stdbool.h>
#include <stddef.h>

struct sockaddr;

#define SDC_NET_NAME_LEN	64	/* "[v6 literal]:port" and its NUL */

struct sdc_net_addr {
	char	host[256];
	char	port[8];		/* digits, 0 to 65535 */
	char	text[272];		/* as written, for messages */
};

/* Split HOST:PORT into a; false with a static reason when it is not. */
bool	sdc_net_parse(struct sdc_net_addr *a, const char *text,
	    const char **reason);
/* A socket listening on a (port 0: one the system picks). */
int	sdc_net_listen(const struct sdc_net_addr *a, char *err, size_t len);
/* A connected socket, blocking, within timeout seconds. */
int	sdc_net_connect(const struct sdc_net_addr *a, double timeout,
	    char *err, size_t len);
/* The next connection waiting on a listening socket, or -1 (errno). */
int	sdc_net_accept(int listen_fd);
/* Where a socket's own end, or its peer, is: "127.0.0.1:7070". */
void	sdc_net_local_name(int fd, char *name, size_t len);
void	sdc_net_peer_name(int fd, char *name, size_t len);
/* The same of an IPv4 or IPv6 address as accept gives it. */
void	sdc_net_sockaddr_name(const struct sockaddr *sa, char *name,
	    size_t len);
bool	sdc_net_set_nonblocking(int fd, bool on);
/*
 * Close a connection whose last bytes must reach the peer: end the
 * sending side, then read and drop what comes until the peer closes
 * too (or seconds pass), then close.  A plain close with unread data
 * resets the connection, and the peer may lose what was sent last.
 */
void	sdc_net_close_gracefully(int fd, double seconds);

#endif
