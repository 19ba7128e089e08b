/*
 * TLS sessions over a non-blocking socket pair: handshakes driven by
 * hand as a loop would, data both ways, client certificates and names
 * checked.  The certificates come from tests/tls/make-certs.sh.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tls.h"
#include "tap.h"

static char dir[256];

static const char *
cert(const char *name)
{
	static char paths[32][300];
	static int next;
	char *p = paths[next++ % 32];

	snprintf(p, 300, "%s/%s", dir, name);
	return p;
}

static void
make_certs(void)
{
	const char *top = getenv("top_srcdir");
	char cmd[700];
	char tmpl[] = "/tmp/sdc-tls.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		exit(99);
	snprintf(dir, sizeof dir, "%s", tmpl);
	snprintf(cmd, sizeof cmd, "%s/tests/tls/make-certs.sh %s",
	    top ? top : ".", dir);
	if (system(cmd) != 0) {
		printf("Bail out! %s failed\n", cmd);
		exit(1);
	}
}

/* Both sides' handshakes, turn by turn: 0 when both are done. */
static int
handshake(struct sdc_tls *s, struct sdc_tls *c)
{
	int rs = SDC_TLS_WANT, rc = SDC_TLS_WANT;

	for (int turn = 0; turn < 100; turn++) {
		if (rc == SDC_TLS_WANT)
			rc = sdc_tls_handshake(c);
		if (rs == SDC_TLS_WANT)
			rs = sdc_tls_handshake(s);
		if (rs == SDC_TLS_ERROR || rc == SDC_TLS_ERROR)
			return -1;
		if (rs == 0 && rc == 0)
			return 0;
	}
	return -1;
}

struct pair {
	int			 fd[2];
	struct sdc_tls_ctx	*sctx, *cctx;
	struct sdc_tls		*s, *c;
	char			 err[512];
};

static bool
pair_open(struct pair *p, const struct sdc_tls_config *server,
    const struct sdc_tls_config *client)
{
	memset(p, 0, sizeof(*p));
	socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fd);
	p->sctx = sdc_tls_server_ctx(server, p->err, sizeof p->err);
	p->cctx = sdc_tls_client_ctx(client, p->err, sizeof p->err);
	if (p->sctx == NULL || p->cctx == NULL)
		return false;
	p->s = sdc_tls_new(p->sctx, p->fd[0]);
	p->c = sdc_tls_new(p->cctx, p->fd[1]);
	return true;
}

static void
pair_close(struct pair *p)
{
	sdc_tls_free(p->s);
	sdc_tls_free(p->c);
	sdc_tls_ctx_free(p->sctx);
	sdc_tls_ctx_free(p->cctx);
	close(p->fd[0]);
	close(p->fd[1]);
}

static void
test_exchange(void)
{
	struct sdc_tls_config server = { .cert_file = cert("server.pem"),
		.key_file = cert("server.key"), .ca_file = cert("ca.pem"),
		.verify_peer = true };
	struct sdc_tls_config client = { .cert_file = cert("client.pem"),
		.key_file = cert("client.key"), .ca_file = cert("ca.pem"),
		.server_name = "localhost" };
	struct pair p;
	char buf[64];
	ssize_t n;
	bool opened = pair_open(&p, &server, &client);

	ok(opened, "contexts from PEM files%s%.150s", p.err[0] ? ": " : "",
	    p.err);
	ok(handshake(p.s, p.c) == 0, "the handshake completes, without "
	    "blocking, turn by turn");
	is_str(sdc_tls_peer_name(p.s), "sensor-gateway",
	    "the server knows the client by its certificate");
	is_int(sdc_tls_write(p.c, "sighting 1\n", 11), 11, "the client writes");
	n = sdc_tls_read(p.s, buf, sizeof buf);
	ok(n == 11 && memcmp(buf, "sighting 1\n", 11) == 0,
	    "the server reads it");
	is_int(sdc_tls_read(p.s, buf, sizeof buf), SDC_TLS_WANT,
	    "nothing more: it wants to be called when readable");
	ok(sdc_tls_wants(p.s) == SDC_TLS_WANT_READ, "and says so");
	sdc_tls_shutdown(p.c);
	is_int(sdc_tls_read(p.s, buf, sizeof buf), 0,
	    "a close_notify reads as the end");
	pair_close(&p);
}

static void
test_refusals(void)
{
	struct sdc_tls_config server = { .cert_file = cert("server.pem"),
		.key_file = cert("server-pass.key"), .key_pass = "sesame",
		.ca_file = cert("ca.pem"), .verify_peer = true };
	struct sdc_tls_config anonymous = { .ca_file = cert("ca.pem"),
		.server_name = "localhost" };
	struct sdc_tls_config wrong_name = { .ca_file = cert("ca.pem"),
		.server_name = "example.org", .cert_file = cert("client.pem"),
		.key_file = cert("client.key") };
	struct sdc_tls_config wrong_ca = { .ca_file = cert("other-ca.pem"),
		.server_name = "localhost" };
	struct sdc_tls_config by_ip = { .ca_file = cert("ca.pem"),
		.server_name = "127.0.0.1", .cert_file = cert("client.pem"),
		.key_file = cert("client.key") };
	struct sdc_tls_config wrong_ip = by_ip;
	struct sdc_tls_config bad_pass = server;
	struct pair p;
	char err[512];

	bool failed;

	ok(pair_open(&p, &server, &anonymous), "a key with a passphrase");
	failed = handshake(p.s, p.c) != 0;
	ok(failed && strstr(sdc_tls_error(p.s), "certificate") != NULL,
	    "a client without a certificate is refused: %.150s",
	    sdc_tls_error(p.s));
	pair_close(&p);
	pair_open(&p, &server, &wrong_name);
	failed = handshake(p.s, p.c) != 0;
	ok(failed && strstr(sdc_tls_error(p.c), "hostname mismatch") != NULL,
	    "a server of another name is refused: %.150s", sdc_tls_error(p.c));
	pair_close(&p);
	pair_open(&p, &server, &by_ip);
	ok(handshake(p.s, p.c) == 0, "a server named by its IP address is "
	    "checked against the address in its certificate");
	pair_close(&p);
	wrong_ip.server_name = "127.0.0.2";
	pair_open(&p, &server, &wrong_ip);
	failed = handshake(p.s, p.c) != 0;
	ok(failed && strstr(sdc_tls_error(p.c), "IP address mismatch") != NULL,
	    "and another address is refused: %.150s", sdc_tls_error(p.c));
	pair_close(&p);
	server.verify_peer = false;
	pair_open(&p, &server, &wrong_ca);
	failed = handshake(p.s, p.c) != 0;
	ok(failed && strstr(sdc_tls_error(p.c), "certificate") != NULL,
	    "a server signed by a CA not trusted is refused: %.150s",
	    sdc_tls_error(p.c));
	pair_close(&p);
	bad_pass.key_pass = "open";
	failed = sdc_tls_server_ctx(&bad_pass, err, sizeof err) == NULL;
	ok(failed && strstr(err, "server-pass.key") != NULL,
	    "a wrong passphrase names the key file: %.150s", err);
}

int
main(void)
{
	char cmd[300];

	make_certs();
	test_exchange();
	test_refusals();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 99;
	return tap_done();
}
