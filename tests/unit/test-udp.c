/* The udp origin's sockets on loopback: batches, senders, kernel drops. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "udp-socket.h"
#include "tap.h"

static int
sender_to(const struct sdc_udp_socket *s, struct sockaddr_in *to)
{
	socklen_t len = sizeof *to;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	getsockname(s->fd, (struct sockaddr *)to, &len);
	return fd;
}

static unsigned
drain(struct sdc_udp_socket *s, struct sdc_udp_batch *b, unsigned want)
{
	struct pollfd p = { .fd = s->fd, .events = POLLIN };
	unsigned got = 0;
	int n;

	while (got < want && poll(&p, 1, 1000) > 0)
		while ((n = sdc_udp_receive(s, b)) > 0)
			got += (unsigned)n;
	return got;
}

static void
test_batch(void)
{
	struct sdc_net_addr a;
	struct sdc_udp_socket s;
	struct sdc_udp_batch b;
	struct sockaddr_in to;
	const char *reason;
	char err[256], host[64], msg[16];
	unsigned port, i;
	int fd, n;

	ok(sdc_net_parse(&a, "127.0.0.1:0", &reason), "an address");
	ok(sdc_udp_open(&s, &a, 0, true, err, sizeof err) == 0, "bound");
	sdc_udp_batch_init(&b, 8);
	fd = sender_to(&s, &to);
	for (i = 0; i < 3; i++) {
		n = snprintf(msg, sizeof msg, i == 2 ? "long message %u" :
		    "m%u", i);
		sendto(fd, msg, (size_t)n, 0, (struct sockaddr *)&to, sizeof to);
	}
	ok(drain(&s, &b, 3) == 3, "three datagrams in one batch");
	ok(b.got[0].len == 2 && memcmp(b.got[0].data, "m0", 2) == 0 &&
	    !b.got[0].truncated, "each with its bytes");
	ok(b.got[2].truncated && b.got[2].len == 8,
	    "one longer than the slot is cut and says so");
	sdc_udp_peer(&b.got[1], host, sizeof host, &port);
	ok(strcmp(host, "127.0.0.1") == 0 && port > 0, "and its sender");
	ok(sdc_udp_receive(&s, &b) == 0, "nothing more waits");
	close(fd);
	sdc_udp_batch_release(&b);
	sdc_udp_close(&s);
}

/* Datagrams sent to a full buffer are lost, and every one is counted. */
static void
test_drops(void)
{
	struct sdc_net_addr a;
	struct sdc_udp_socket s;
	struct sdc_udp_batch b;
	struct sockaddr_in to;
	const char *reason;
	char err[256], payload[1000];
	unsigned sent = 3000, got;
	int fd;

	memset(payload, 'x', sizeof payload);
	sdc_net_parse(&a, "127.0.0.1:0", &reason);
	ok(sdc_udp_open(&s, &a, 4096, false, err, sizeof err) == 0,
	    "bound with a small buffer");
	sdc_udp_batch_init(&b, sizeof payload);
	fd = sender_to(&s, &to);
	for (unsigned i = 0; i < sent; i++)
		sendto(fd, payload, sizeof payload, 0, (struct sockaddr *)&to,
		    sizeof to);
	got = drain(&s, &b, sent);
	sdc_udp_kernel_drops(&s);
	ok(s.drops > 0, "a flood into a small buffer loses datagrams");
	is_int((long long)(got + s.drops), sent,
	    "received and dropped add up to what was sent");
	close(fd);
	sdc_udp_batch_release(&b);
	sdc_udp_close(&s);
}

int
main(void)
{
	test_batch();
	test_drops();
	return tap_done();
}
