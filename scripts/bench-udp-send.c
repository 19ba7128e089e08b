/*
 * The benchmark's UDP sender (scripts/bench-ingest): each line of FILE a
 * datagram to 127.0.0.1:PORT, 64 a system call (sendmmsg), as fast as
 * the kernel takes them or RATE a second; prints the seconds it took.
 * No tool of Debian sends a datagram per line at this rate.
 *	cc -O2 -o bench-udp-send bench-udp-send.c
 *	bench-udp-send FILE PORT [RATE]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#define BATCH 64

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

int
main(int argc, char **argv)
{
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct stat st;
	double rate = argc > 3 ? atof(argv[3]) : 0, start;
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
