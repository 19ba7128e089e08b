/*
 * The cluster mode's pieces below the programs: HOST:PORT addresses,
 * listening and connecting on loopback, a frame reader fed by a poll
 * loop (pump, ready, next) on a non-blocking socket, and the proofs of
 * the shared-secret handshake, one of them against HMAC-SHA256 as
 * Python's hmac module computes it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth.h"
#include "frame-reader.h"
#include "net.h"
#include "wire.h"
#include "tap.h"

static void
test_parse(void)
{
	struct sdc_net_addr a;
	const char *why = NULL;

	ok(sdc_net_parse(&a, "spark1:7070", &why), "HOST:PORT parses");
	is_str(a.host, "spark1", "its host");
	is_str(a.port, "7070", "its port");
	ok(sdc_net_parse(&a, "[::1]:0", &why), "[IPv6]:PORT parses");
	is_str(a.host, "::1", "the IPv6 host, without brackets");
	ok(sdc_net_parse(&a, ":7070", &why) && a.host[0] == '\0',
	    ":PORT is every address");
	ok(sdc_net_parse(&a, "h:007", &why), "a port with leading zeros");
	is_str(a.port, "7", "is the number");
	ok(!sdc_net_parse(&a, "spark1", &why), "no port: refused");
	is_str(why, "expected HOST:PORT", "with the reason");
	ok(!sdc_net_parse(&a, "::1:7070", &why), "bare IPv6: refused");
	ok(!sdc_net_parse(&a, "[::1]7070", &why), "[IPv6] without :PORT");
	ok(!sdc_net_parse(&a, "h:65536", &why), "a port too large");
	ok(!sdc_net_parse(&a, "h:", &why), "an empty port");
	ok(!sdc_net_parse(&a, "h:80x", &why), "a port not a number");
}

/* A listening socket on a port the system picks, and a client of it. */
static void
connected_pair(int *client, int *server)
{
	struct sdc_net_addr a;
	char err[256], name[SDC_NET_NAME_LEN], *colon;
	const char *why;
	int lfd;

	sdc_net_parse(&a, "127.0.0.1:0", &why);
	lfd = sdc_net_listen(&a, err, sizeof err);
	ok(lfd >= 0, "listen on 127.0.0.1:0");
	sdc_net_local_name(lfd, name, sizeof name);
	colon = strrchr(name, ':');
	ok(strncmp(name, "127.0.0.1:", 10) == 0 && atoi(colon + 1) > 0,
	    "its name has the port picked (%s)", name);
	sdc_net_parse(&a, name, &why);
	*client = sdc_net_connect(&a, 5, err, sizeof err);
	ok(*client >= 0, "connect to it");
	*server = sdc_net_accept(lfd);
	ok(*server >= 0, "accept the connection");
	sdc_net_peer_name(*server, name, sizeof name);
	ok(strncmp(name, "127.0.0.1:", 10) == 0, "the peer's name (%s)",
	    name);
	close(lfd);
}

static void
test_refused(void)
{
	struct sdc_net_addr a;
	char err[256], name[SDC_NET_NAME_LEN];
	const char *why;
	int lfd, fd;

	/* A port that was free a moment ago, now with no listener. */
	sdc_net_parse(&a, "127.0.0.1:0", &why);
	lfd = sdc_net_listen(&a, err, sizeof err);
	sdc_net_local_name(lfd, name, sizeof name);
	close(lfd);
	sdc_net_parse(&a, name, &why);
	fd = sdc_net_connect(&a, 5, err, sizeof err);
	ok(fd < 0 && strstr(err, "Connection refused") != NULL &&
	    strncmp(err, name, strlen(name)) == 0,
	    "connection refused, naming the address");
}

static size_t
frames_of(struct sdc_buf *b)
{
	struct sdc_record r;
	const char *reason;

	sdc_record_init(&r);
	sdc_wire_stream_header(b);
	sdc_field_int(&r.root, SDC_LONG, 42);
	sdc_wire_encode(b, &r, 1 << 20, &reason);
	sdc_wire_frame(b, SDC_KIND_BATCH, NULL, 0);
	sdc_record_release(&r);
	return b->len;
}

/* What a poll loop does: pump once readable, take frames while ready. */
static void
test_pump(void)
{
	struct sdc_frame_reader fr;
	struct sdc_frame f;
	struct sdc_buf b;
	enum sdc_read_status st;
	int client, server;
	size_t n;

	connected_pair(&client, &server);
	sdc_net_set_nonblocking(server, true);
	sdc_frame_reader_open_fd(&fr, server, "peer", 1 << 20);
	sdc_buf_init(&b, 1 << 20);
	n = frames_of(&b);
	ok(sdc_frame_reader_pump(&fr) == SDC_READ_FRAME &&
	    !sdc_frame_reader_ready(&fr), "nothing yet: not ready");
	ok(send(client, b.data, n - 3, 0) == (ssize_t)(n - 3), "send most");
	usleep(50000);
	sdc_frame_reader_pump(&fr);
	ok(sdc_frame_reader_ready(&fr), "the data frame is ready");
	ok(sdc_frame_reader_next(&fr, &f) == SDC_READ_FRAME &&
	    f.kind == SDC_KIND_DATA, "and comes out");
	ok(!sdc_frame_reader_ready(&fr), "half a batch frame is not ready");
	send(client, b.data + n - 3, 3, 0);
	close(client);
	usleep(50000);
	sdc_frame_reader_pump(&fr);
	ok(sdc_frame_reader_next(&fr, &f) == SDC_READ_FRAME &&
	    f.kind == SDC_KIND_BATCH, "then the batch frame");
	sdc_frame_reader_pump(&fr);
	st = sdc_frame_reader_ready(&fr) ? sdc_frame_reader_next(&fr, &f) :
	    SDC_READ_FRAME;
	ok(st == SDC_READ_BAD_STREAM && strstr(fr.err, "peer: byte") != NULL,
	    "a peer gone without its end frame, with the offset");
	sdc_frame_reader_close(&fr);

	/* A frame longer than the limit is ready at once, to be refused. */
	connected_pair(&client, &server);
	sdc_net_set_nonblocking(server, true);
	sdc_frame_reader_open_fd(&fr, server, "peer", 2);
	ok(send(client, b.data, 19, 0) == 19, "a header claiming more");
	usleep(50000);
	sdc_frame_reader_pump(&fr);
	st = sdc_frame_reader_ready(&fr) ? sdc_frame_reader_next(&fr, &f) :
	    SDC_READ_FRAME;
	ok(st == SDC_READ_BAD_STREAM && strstr(fr.err, "exceeds") != NULL,
	    "is refused unread");
	sdc_frame_reader_close(&fr);
	close(client);
	sdc_buf_release(&b);
}

static void
test_proofs(void)
{
	struct sdc_secret s = { (uint8_t *)"secret", 6 };
	struct sdc_secret other = { (uint8_t *)"Secret", 6 };
	uint8_t nonce[SDC_SPARK_NONCE_LEN], proof[SDC_SPARK_PROOF_LEN];
	uint8_t hello[SDC_SPARK_HELLO_LEN], got[SDC_SPARK_NONCE_LEN];
	static const uint8_t want[SDC_SPARK_PROOF_LEN] = {
		0x7f, 0x2a, 0x33, 0x1c, 0x79, 0xa0, 0x62, 0x58,
		0xab, 0x7b, 0x95, 0x04, 0x10, 0x7d, 0x1c, 0x9d,
		0x78, 0xe8, 0xca, 0xc5, 0x7b, 0x2a, 0xe9, 0xa1,
		0x3e, 0xc0, 0xa0, 0x7f, 0x54, 0xd5, 0xc2, 0x22
	};

	for (int i = 0; i < SDC_SPARK_NONCE_LEN; i++)
		nonce[i] = (uint8_t)i;
	sdc_spark_auth_prove(&s, nonce, SDC_SPARK_ROLE_PRODUCER, proof);
	ok(memcmp(proof, want, sizeof want) == 0,
	    "the proof is HMAC-SHA256(secret, nonce || role)");
	ok(sdc_spark_auth_verify(&s, nonce, SDC_SPARK_ROLE_PRODUCER, proof),
	    "and verifies");
	ok(!sdc_spark_auth_verify(&other, nonce, SDC_SPARK_ROLE_PRODUCER,
	    proof), "not under another secret");
	ok(!sdc_spark_auth_verify(&s, nonce, SDC_SPARK_ROLE_SERVICE, proof),
	    "nor as the other role's (no reflection)");
	sdc_spark_auth_hello(hello, nonce, SDC_SPARK_ROLE_SERVICE);
	ok(sdc_spark_auth_check_hello(hello, SDC_SPARK_ROLE_SERVICE, got) ==
	    NULL && memcmp(got, nonce, sizeof got) == 0,
	    "a hello gives its nonce");
	ok(sdc_spark_auth_check_hello(hello, SDC_SPARK_ROLE_PRODUCER, got) !=
	    NULL, "a hello of the wrong role is refused");
	hello[0] = 'X';
	ok(sdc_spark_auth_check_hello(hello, SDC_SPARK_ROLE_SERVICE, got) !=
	    NULL, "so is one that is not ours");
}

/* The service's side, in a child, for the producer's blocking one. */
static void
serve_handshake(int fd, const struct sdc_secret *s)
{
	uint8_t hello[SDC_SPARK_HELLO_LEN], peer[SDC_SPARK_HELLO_LEN];
	uint8_t nonce[SDC_SPARK_NONCE_LEN], pn[SDC_SPARK_NONCE_LEN];
	uint8_t proof[SDC_SPARK_PROOF_LEN];

	sdc_spark_auth_hello(hello, nonce, SDC_SPARK_ROLE_SERVICE);
	if (write(fd, hello, sizeof hello) != sizeof hello ||
	    recv(fd, peer, sizeof peer, MSG_WAITALL) != sizeof peer ||
	    sdc_spark_auth_check_hello(peer, SDC_SPARK_ROLE_PRODUCER, pn) ||
	    recv(fd, proof, sizeof proof, MSG_WAITALL) != sizeof proof)
		_exit(2);
	if (!sdc_spark_auth_verify(s, nonce, SDC_SPARK_ROLE_PRODUCER, proof))
		_exit(1);	/* refused: closed without our proof */
	sdc_spark_auth_prove(s, pn, SDC_SPARK_ROLE_SERVICE, proof);
	_exit(write(fd, proof, sizeof proof) == sizeof proof ? 0 : 2);
}

static int
handshake(const char *service_secret, const char *producer_secret,
    char *err, size_t len)
{
	struct sdc_secret ss = { (uint8_t *)service_secret,
		strlen(service_secret) };
	struct sdc_secret ps = { (uint8_t *)producer_secret,
		strlen(producer_secret) };
	int sv[2], rc, status;
	pid_t pid;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	if ((pid = fork()) == 0) {
		close(sv[0]);
		serve_handshake(sv[1], &ss);
	}
	close(sv[1]);
	err[0] = '\0';
	rc = sdc_spark_auth_producer(sv[0], &ps, 5, err, len);
	close(sv[0]);
	waitpid(pid, &status, 0);
	return rc;
}

static void
test_handshake(void)
{
	char err[256];

	ok(handshake("s3cret", "s3cret", err, sizeof err) == 0,
	    "the same secret: linked");
	ok(handshake("s3cret", "guess", err, sizeof err) < 0 &&
	    strstr(err, "refused our secret") != NULL,
	    "another secret: refused");
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	test_parse();
	test_refused();
	test_pump();
	test_proofs();
	test_handshake();
	return tap_done();
}
