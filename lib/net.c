/* TCP addresses, listening and connecting, IPv4 and IPv6. */
#define _GNU_SOURCE	/* accept4 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "record.h"	/* sdc_uptime */
#include "signals.h"
#include "banned.h"

#define LISTEN_BACKLOG	128

static bool
parse_port(struct sdc_net_addr *a, const char *port)
{
	size_t n = strlen(port);
	unsigned long v = 0;

	if (n == 0 || n > 5 || strspn(port, "0123456789") != n)
		return false;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(port[i] - '0');
	if (v > 65535)
		return false;
	snprintf(a->port, sizeof a->port, "%lu", v);
	return true;
}

bool
sdc_net_parse(struct sdc_net_addr *a, const char *text, const char **reason)
{
	const char *host = text, *port, *colon;
	size_t hlen;

	memset(a, 0, sizeof(*a));
	if (strlen(text) >= sizeof a->text) {
		*reason = "the address is too long";
		return false;
	}
	snprintf(a->text, sizeof a->text, "%s", text);
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':') {
			*reason = "expected [ADDRESS]:PORT";
			return false;
		}
		host = text + 1;
		hlen = (size_t)(close - host);
		port = close + 2;
	} else {
		if ((colon = strrchr(text, ':')) == NULL) {
			*reason = "expected HOST:PORT";
			return false;
		}
		if (memchr(text, ':', (size_t)(colon - text)) != NULL) {
			*reason = "an IPv6 address is written [ADDRESS]:PORT";
			return false;
		}
		hlen = (size_t)(colon - text);
		port = colon + 1;
	}
	memcpy(a->host, host, hlen);
	a->host[hlen] = '\0';
	if (!parse_port(a, port)) {
		*reason = "the port is not a number from 0 to 65535";
		return false;
	}
	return true;
}

static int
resolve(const struct sdc_net_addr *a, bool passive, struct addrinfo **res,
    char *err, size_t len)
{
	struct addrinfo hints;
	int rc;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	rc = getaddrinfo(a->host[0] != '\0' ? a->host : NULL, a->port, &hints,
	    res);
	if (rc == 0)
		return 0;
	snprintf(err, len, "%s: %s", a->text, rc == EAI_SYSTEM ?
	    strerror(errno) : gai_strerror(rc));
	return -1;
}

static void
no_delay(int fd)
{
	int one = 1;

	/* Batch frames are small and must not wait for more. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int
listen_on(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
	    ai->ai_protocol);
	int one = 1, zero = 0, saved;

	if (fd < 0)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	/* A wildcard IPv6 socket takes IPv4 connections too. */
	if (ai->ai_family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero,
		    sizeof zero);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    listen(fd, LISTEN_BACKLOG) == 0)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
sdc_net_listen(const struct sdc_net_addr *a, char *err, size_t len)
{
	struct addrinfo *res, *ai;
	bool wildcard = a->host[0] == '\0';
	int fd = -1, saved = EADDRNOTAVAIL;

	if (resolve(a, true, &res, err, len) != 0)
		return -1;
	/* For every address, the IPv6 socket first: it serves both. */
	for (int pass = wildcard ? 0 : 1; pass < 2 && fd < 0; pass++)
		for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
			if (pass == 0 && ai->ai_family != AF_INET6)
				continue;
			if ((fd = listen_on(ai)) < 0)
				saved = errno;
		}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, len, "%s: %s", a->text, strerror(saved));
	return fd;
}

static int
wait_connected(int fd, double deadline)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	socklen_t sl = sizeof(int);
	int soerr = 0;

	for (;;) {
		double left = deadline - sdc_uptime();
		int n;

		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&p, 1, (int)(left * 1000) + 1);
		if (n > 0)
			break;
		if (n < 0 && errno != EINTR)
			return -1;
		if (n < 0)
			sdc_signals_poll();
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		return -1;
	if (soerr != 0) {
		errno = soerr;
		return -1;
	}
	return 0;
}

static int
connect_to(const struct addrinfo *ai, double deadline)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	int saved;

	if (fd < 0)
		return -1;
	if ((connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
	    errno == EINPROGRESS) && wait_connected(fd, deadline) == 0 &&
	    sdc_net_set_nonblocking(fd, false)) {
		no_delay(fd);
		return fd;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
sdc_net_connect(const struct sdc_net_addr *a, double timeout, char *err,
    size_t len)
{
	struct addrinfo *res, *ai;
	double deadline = sdc_uptime() + timeout;
	int fd = -1, saved = EADDRNOTAVAIL;

	if (resolve(a, false, &res, err, len) != 0)
		return -1;
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		if ((fd = connect_to(ai, deadline)) < 0)
			saved = errno;
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, len, "%s: %s", a->text, strerror(saved));
	return fd;
}

int
sdc_net_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd >= 0)
		no_delay(fd);
	return fd;
}

/* Numeric, and an IPv4 peer of a dual-stack socket as IPv4. */
static void
name_of(struct sockaddr_storage *ss, socklen_t sl, char *name, size_t len)
{
	char host[NI_MAXHOST], port[NI_MAXSERV];
	struct sockaddr_in v4;
	const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
		memset(&v4, 0, sizeof v4);
		v4.sin_family = AF_INET;
		v4.sin_port = v6->sin6_port;
		memcpy(&v4.sin_addr, v6->sin6_addr.s6_addr + 12, 4);
		memcpy(ss, &v4, sizeof v4);
		sl = sizeof v4;
	}
	if (getnameinfo((struct sockaddr *)ss, sl, host, sizeof host, port,
	    sizeof port, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(name, len, "an unknown address");
	else
		snprintf(name, len, ss->ss_family == AF_INET6 ? "[%s]:%s" :
		    "%s:%s", host, port);
}

static void
socket_name(int fd, int (*get)(int, struct sockaddr *, socklen_t *),
    char *name, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;

	if (get(fd, (struct sockaddr *)&ss, &sl) != 0)
		snprintf(name, len, "an unknown address");
	else
		name_of(&ss, sl, name, len);
}

void
sdc_net_local_name(int fd, char *name, size_t len)
{
	socket_name(fd, getsockname, name, len);
}

void
sdc_net_peer_name(int fd, char *name, size_t len)
{
	socket_name(fd, getpeername, name, len);
}

void
sdc_net_sockaddr_name(const struct sockaddr *sa, char *name, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;

	if (sa != NULL && sa->sa_family == AF_INET)
		sl = sizeof(struct sockaddr_in);
	else if (sa != NULL && sa->sa_family == AF_INET6)
		sl = sizeof(struct sockaddr_in6);
	if (sl == 0) {
		snprintf(name, len, "an unknown address");
		return;
	}
	memcpy(&ss, sa, sl);
	name_of(&ss, sl, name, len);
}

bool
sdc_net_set_nonblocking(int fd, bool on)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return false;
	flags = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, flags) == 0;
}

void
sdc_net_close_gracefully(int fd, double seconds)
{
	double until = sdc_uptime() + seconds, left;
	char drop[4096];
	ssize_t k;

	(void)shutdown(fd, SHUT_WR);
	while ((left = until - sdc_uptime()) > 0) {
		struct pollfd p = { fd, POLLIN, 0 };

		if (poll(&p, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		k = read(fd, drop, sizeof drop);
		if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
	close(fd);
}
