/*
 * The benchmark's UDP sender (scripts/bench-ingest): each line of FILE a
 * datagram to 127.0.0.1:PORT, 64 a system call (sendmmsg), as fast as
 * the kernel takes them or RATE a second; prints the seconds it took.
 * With BENCH_UDP_SEGMENT=SIZE in the environment each line is padded
 * with spaces to SIZE bytes and the kernel cuts 64 of them at a time
 * from one buffer (UDP GSO), which costs the sender a fraction of a
 * datagram each: on two cores it lets the receiver be the limit.
 * No tool of Debian sends a datagram per line at this rate.
 *	cc -O2 -o bench-udp-send bench-udp-send.c
 *	[BENCH_UDP_SEGMENT=SIZE] bench-udp-send FILE PORT [RATE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define BATCH 64
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
pace(double start, size_t sent, double rate)
{
	double ahead = start + sent / rate - now();

	if (ahead > 0) {
		struct timespec ts = { (time_t)ahead,
			(long)((ahead - (time_t)ahead) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

/*
 * With a segment size: the lines padded with spaces to that size, 64 a
 * system call as one buffer that the kernel cuts into datagrams (UDP
 * GSO), so that the sender costs less than its receiver.
 */
static int
send_segmented(int s, char *p, char *end, size_t size, double rate,
    double start)
{
	char *buf = malloc(BATCH * size);
	size_t sent = 0;
	int gso = (int)size;

	if (buf == NULL || setsockopt(s, SOL_UDP, UDP_SEGMENT, &gso,
	    sizeof gso) != 0) {
		perror("bench-udp-send: UDP_SEGMENT");
		return 1;
	}
	while (p < end) {
		size_t n = 0;

		while (n < BATCH && p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = (size_t)((nl ? nl : end) - p);

			if (len > size) {
				fprintf(stderr, "bench-udp-send: a line of "
				    "%zu bytes, over %zu\n", len, size);
				return 1;
			}
			memcpy(buf + n * size, p, len);
			memset(buf + n * size + len, ' ', size - len);
			n++;
			p += len + (nl != NULL);
		}
		while (send(s, buf, n * size, 0) < 0)
			if (errno != ECONNREFUSED && errno != ENOBUFS) {
				perror("send");
				return 1;
			}
		sent += n;
		if (rate > 0)
			pace(start, sent, rate);
	}
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct stat st;
	double rate = argc > 3 ? atof(argv[3]) : 0, start;
	const char *seg = getenv("BENCH_UDP_SEGMENT");
	int segment = seg != NULL ? atoi(seg) : 0;
	int fd, s, sndbuf = 4 << 20;
	char *p, *end;
	size_t sent = 0;

	if (argc < 3 || (fd = open(argv[1], O_RDONLY)) < 0 ||
	    fstat(fd, &st) != 0) {
		fprintf(stderr, "usage: bench-udp-send FILE PORT [RATE]\n");
		return 2;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	end = p + st.st_size;
	to.sin_port = htons((unsigned short)atoi(argv[2]));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
	if (p == MAP_FAILED || connect(s, (struct sockaddr *)&to, sizeof to)) {
		perror("bench-udp-send");
		return 1;
	}
	start = now();
	if (segment > 0) {
		if (send_segmented(s, p, end, (size_t)segment, rate,
		    start) != 0)
			return 1;
		printf("%.3f\n", now() - start);
		return 0;
	}
	while (p < end) {
		int n = 0;

		while (n < BATCH && p < end) {
			char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = (size_t)((nl ? nl : end) - p);

			iov[n] = (struct iovec){ p, len };
			msgs[n] = (struct mmsghdr){ .msg_hdr = {
				.msg_iov = &iov[n], .msg_iovlen = 1 } };
			n++;
			p += len + (nl != NULL);
		}
		for (int done = 0; done < n; ) {
			int k = sendmmsg(s, msgs + done, (unsigned)(n - done), 0);

			if (k < 0 && errno == ECONNREFUSED)
				continue;	/* an ICMP of a datagram before */
			if (k < 0) {
				perror("sendmmsg");
				return 1;
			}
			done += k;
		}
		sent += (size_t)n;
		if (rate > 0)
			pace(start, sent, rate);
	}
	printf("%.3f\n", now() - start);
	return 0;
}
