/* UDP sockets: bound, read a batch at a time, their kernel drops. */
#define _GNU_SOURCE	/* recvmmsg, SO_RCVBUFFORCE */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "udp-socket.h"
#include "xalloc.h"
#include "banned.h"

#define CONTROL_SIZE	CMSG_SPACE(sizeof(uint32_t))

static int
fail(char *err, size_t len, const struct sdc_net_addr *a, const char *what)
{
	snprintf(err, len, "%s: %s: %s", a->text, what, strerror(errno));
	return -1;
}

/* Ask for n bytes, forcing past the system's limit where allowed. */
static void
set_rcvbuf(int fd, int n)
{
	if (n <= 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &n, sizeof n) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &n, sizeof n);
}

static int
bind_first(const struct addrinfo *ai, int rcvbuf, bool reuseport,
    int *fd_out)
{
	int one = 1, fd = -1;

	for (; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		set_rcvbuf(fd, rcvbuf);
		(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
		if ((!reuseport || setsockopt(fd, SOL_SOCKET, SO_REUSEPORT,
		    &one, sizeof one) == 0) &&
		    bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			*fd_out = fd;
			return 0;
		}
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -1;
}

int
sdc_udp_open(struct sdc_udp_socket *s, const struct sdc_net_addr *a,
    int rcvbuf, bool reuseport, char *err, size_t len)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE,
		.ai_socktype = SOCK_DGRAM }, *res;
	socklen_t optlen = sizeof s->rcvbuf;
	int rc;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	rc = getaddrinfo(a->host[0] ? a->host : NULL, a->port, &hints, &res);
	if (rc != 0) {
		snprintf(err, len, "%s: %s", a->text, gai_strerror(rc));
		return -1;
	}
	rc = bind_first(res, rcvbuf, reuseport, &s->fd);
	freeaddrinfo(res);
	if (rc != 0)
		return fail(err, len, a, "bind");
	if (getsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf,
	    &optlen) != 0)
		s->rcvbuf = 0;
	return 0;
}

void
sdc_udp_close(struct sdc_udp_socket *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

void
sdc_udp_batch_init(struct sdc_udp_batch *b, size_t max_datagram)
{
	struct mmsghdr *msgs;
	struct iovec *iovs;

	memset(b, 0, sizeof *b);
	b->slot_size = max_datagram + 1;	/* one more: a truncation shows */
	b->bufs = sdc_xmalloc(SDC_UDP_BATCH * b->slot_size);
	b->msgs = msgs = sdc_xcalloc(SDC_UDP_BATCH, sizeof(*msgs));
	b->iovs = iovs = sdc_xcalloc(SDC_UDP_BATCH, sizeof(*iovs));
	b->controls = sdc_xcalloc(1, CONTROL_SIZE);
}

void
sdc_udp_batch_release(struct sdc_udp_batch *b)
{
	free(b->bufs);
	free(b->msgs);
	free(b->iovs);
	free(b->controls);
	memset(b, 0, sizeof *b);
}

static void
arm(struct sdc_udp_batch *b)
{
	struct mmsghdr *msgs = b->msgs;
	struct iovec *iovs = b->iovs;

	for (unsigned i = 0; i < SDC_UDP_BATCH; i++) {
		struct msghdr *h = &msgs[i].msg_hdr;

		iovs[i].iov_base = b->bufs + i * b->slot_size;
		iovs[i].iov_len = b->slot_size;
		h->msg_iov = &iovs[i];
		h->msg_iovlen = 1;
		h->msg_name = &b->got[i].peer;
		h->msg_namelen = sizeof b->got[i].peer;
		/*
		 * The kernel's drop count, which only grows, is read from
		 * the first datagram of a batch: attaching it to every one
		 * costs a tenth of the receiving once drops have begun.
		 */
		h->msg_control = i == 0 ? b->controls : NULL;
		h->msg_controllen = i == 0 ? CONTROL_SIZE : 0;
		h->msg_flags = 0;
	}
}

/* The kernel's drop count as of this datagram, when it came with one. */
static void
note_drops(struct sdc_udp_socket *s, struct msghdr *h)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL;
	    c = CMSG_NXTHDR(h, c)) {
		uint32_t ovfl;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SO_RXQ_OVFL)
			continue;
		memcpy(&ovfl, CMSG_DATA(c), sizeof ovfl);
		s->drops += (uint32_t)(ovfl - s->last_ovfl);
		s->last_ovfl = ovfl;
	}
}

int
sdc_udp_receive(struct sdc_udp_socket *s, struct sdc_udp_batch *b)
{
	struct mmsghdr *msgs = b->msgs;
	int n;

	arm(b);
	do
		n = recvmmsg(s->fd, msgs, SDC_UDP_BATCH, MSG_DONTWAIT, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	for (int i = 0; i < n; i++) {
		struct sdc_udp_datagram *d = &b->got[i];
		size_t got = msgs[i].msg_len;

		d->data = b->bufs + (size_t)i * b->slot_size;
		d->truncated = got >= b->slot_size ||
		    (msgs[i].msg_hdr.msg_flags & MSG_TRUNC);
		d->len = got < b->slot_size ? got : b->slot_size - 1;
	}
	if (n > 0)
		note_drops(s, &msgs[0].msg_hdr);
	b->n = (unsigned)n;
	return n;
}

uint64_t
sdc_udp_kernel_drops(struct sdc_udp_socket *s)
{
	uint32_t info[SK_MEMINFO_VARS];
	socklen_t len = sizeof info;

	if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, info, &len) == 0 &&
	    len > SK_MEMINFO_DROPS * sizeof(uint32_t) &&
	    info[SK_MEMINFO_DROPS] > s->last_ovfl) {
		s->drops += info[SK_MEMINFO_DROPS] - s->last_ovfl;
		s->last_ovfl = info[SK_MEMINFO_DROPS];
	}
	return s->drops;
}

void
sdc_udp_peer(const struct sdc_udp_datagram *d, char *host, size_t hostlen,
    unsigned *port)
{
	const struct sockaddr_storage *ss = &d->peer;

	host[0] = '\0';
	*port = 0;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, (socklen_t)hostlen);
		*port = ntohs(in->sin_port);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, (socklen_t)hostlen);
		*port = ntohs(in6->sin6_port);
	}
}
