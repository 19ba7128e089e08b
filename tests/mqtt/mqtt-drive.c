/*
 * The tests' driver of the MQTT client against a real broker: it
 * connects to 127.0.0.1:PORT with a blocking socket and poll, subscribes
 * to FILTER[:QOS] ..., prints each message as "TOPIC QOS PAYLOAD" on a
 * line, acknowledges it once the line is written, and exits 0 after
 * -n messages, 2 when -t seconds pass first, 1 on an error.
 *
 *	-5		MQTT 5 (default 3.1.1)
 *	-c		a persistent session (clean session / clean start off)
 *	-i ID		the client identifier (default sdc-drive)
 *	-k SECONDS	keepalive (default 60)
 *	-e SECONDS	MQTT 5 session expiry (default 3600 with -c)
 *	-r N		MQTT 5 receive maximum
 *	-m BYTES	the largest packet taken whole
 *	-s MS		a slow pipeline: each ack MS after its line, and
 *			the socket not read meanwhile (keepalive goes on)
 *	-R		reconnect when the connection is lost, till -t
 *	-n N		messages to take (default 1)
 *	-t SECONDS	time limit (default 20)
 */
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "mqtt-client.h"
#include "net.h"

struct drive {
	struct sdc_mqtt_client	c;
	int			fd;
	long			taken, want, sleep_ms;
	bool			reconnect;
	int64_t			end;
	bool			held;		/* a message awaits its ack */
	struct sdc_mqtt_message	hold;
	int64_t			ack_due;
	uint8_t			rbuf[65536];	/* read, not yet fed */
	size_t			rlen, roff;
};

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int
dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Everything the client queued, sent; false when the socket failed. */
static bool
flush(struct drive *d)
{
	size_t n;
	const uint8_t *p = sdc_mqtt_client_output(&d->c, &n);

	while (n > 0) {
		ssize_t k = send(d->fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			sdc_mqtt_client_lost(&d->c, strerror(errno));
			sdc_mqtt_client_sent(&d->c, n);
			return false;
		}
		sdc_mqtt_client_sent(&d->c, (size_t)k);
		p = sdc_mqtt_client_output(&d->c, &n);
	}
	return true;
}

/*
 * All taken: leave once no exchange is half done (a QoS 2 message's
 * PUBREL still to come), so that the broker does not send it again to
 * the next process of the session.  The socket is closed as sdc-ingest
 * closes it, gracefully: closed with messages still unread, it would
 * reset the connection, and the broker could lose the last acks.  The
 * wait for the broker to close its side is long, for a loaded machine.
 */
static void
leave_if_done(struct drive *d)
{
	if (d->taken < d->want || sdc_mqtt_client_unacked(&d->c) > 0)
		return;
	sdc_mqtt_client_disconnect(&d->c);
	flush(d);
	sdc_net_close_gracefully(d->fd, 20);
	exit(0);
}

static void
done(struct drive *d, const struct sdc_mqtt_message *m)
{
	sdc_mqtt_client_ack(&d->c, m);
	d->taken++;
	flush(d);
	leave_if_done(d);
}

static void
message(struct drive *d, const struct sdc_mqtt_event *ev)
{
	const struct sdc_mqtt_message *m = &ev->message;

	if (ev->type == SDC_MQTT_EV_OVERSIZE)
		printf("%.*s %u oversize %zu\n", (int)m->topic.n,
		    (const char *)m->topic.p, m->qos, m->payload.n);
	else
		printf("%.*s %u %.*s\n", (int)m->topic.n,
		    (const char *)m->topic.p, m->qos, (int)m->payload.n,
		    (const char *)m->payload.p);
	if (fflush(stdout) != 0)
		exit(1);
	if (d->sleep_ms == 0) {
		done(d, m);
		return;
	}
	d->held = true;
	d->hold = *m;
	d->ack_due = now_ms() + d->sleep_ms;
	sdc_mqtt_client_pause(&d->c, true, now_ms());
}

/* The events of what was fed or ticked; false once the connection ended. */
static bool
events(struct drive *d)
{
	struct sdc_mqtt_event ev;

	while (!d->held &&
	    sdc_mqtt_client_next(&d->c, &ev) != SDC_MQTT_EV_NONE) {
		switch (ev.type) {
		case SDC_MQTT_EV_CONNECTED:
			fprintf(stderr, "mqtt-drive: connected, session %s\n",
			    ev.session_present ? "present" : "new");
			break;
		case SDC_MQTT_EV_SUBSCRIBED:
			fprintf(stderr, "mqtt-drive: subscribed\n");
			for (size_t i = 0; i < ev.granted.n; i++)
				if (ev.granted.p[i] >= 0x80) {
					fprintf(stderr, "mqtt-drive: filter "
					    "%zu refused: 0x%02x\n", i + 1,
					    ev.granted.p[i]);
					exit(1);
				}
			break;
		case SDC_MQTT_EV_MESSAGE:
		case SDC_MQTT_EV_OVERSIZE:
			message(d, &ev);
			break;
		case SDC_MQTT_EV_CLOSED:
			fprintf(stderr, "mqtt-drive: %s\n", ev.reason);
			return false;
		default:
			break;
		}
	}
	return flush(d) || events(d);
}

/* Feed what was read; false once the connection ended. */
static bool
pump(struct drive *d)
{
	while (d->roff < d->rlen) {
		size_t k = sdc_mqtt_client_feed(&d->c, d->rbuf + d->roff,
		    d->rlen - d->roff, now_ms());

		d->roff += k;
		if (!events(d))
			return false;
		if (k == 0)
			break;		/* a message held: fed later */
	}
	return true;
}

static bool
receive(struct drive *d)
{
	ssize_t n = recv(d->fd, d->rbuf, sizeof d->rbuf, 0);

	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0) {
		sdc_mqtt_client_lost(&d->c, n == 0 ? "end of stream" :
		    strerror(errno));
		return events(d);
	}
	d->rlen = (size_t)n;
	d->roff = 0;
	return pump(d);
}

/* The held message's ack, when due; false once the connection ended. */
static bool
release_held(struct drive *d)
{
	if (!d->held || now_ms() < d->ack_due)
		return true;
	d->held = false;
	sdc_mqtt_client_pause(&d->c, false, now_ms());
	done(d, &d->hold);
	return events(d) && pump(d);
}

/* One connection, till it ends; false when the time is up. */
static bool
session(struct drive *d)
{
	d->rlen = d->roff = 0;
	d->held = false;
	sdc_mqtt_client_connect(&d->c, now_ms());
	for (;;) {
		struct pollfd p = { .fd = d->fd, .events = POLLIN };
		int64_t now = now_ms(), due = sdc_mqtt_client_deadline(&d->c);

		if (!flush(d) && !events(d))
			return true;
		if (now >= d->end)
			return false;
		if (due > d->end)
			due = d->end;
		if (d->held) {
			p.events = 0;
			if (due > d->ack_due)
				due = d->ack_due;
		}
		if (poll(&p, 1, (int)(due > now ? due - now : 0)) < 0 &&
		    errno != EINTR)
			return false;
		if (p.revents && d->roff == d->rlen && !receive(d))
			return true;
		sdc_mqtt_client_tick(&d->c, now_ms());
		if (!events(d) || !release_held(d))
			return true;
		leave_if_done(d);
	}
}

static void
add_filter(struct sdc_mqtt_subscription *s, char *arg)
{
	char *colon = strrchr(arg, ':');

	*s = (struct sdc_mqtt_subscription){ .filter = arg };
	if (colon && colon[1] >= '0' && colon[1] <= '2' && !colon[2]) {
		s->qos = (uint8_t)(colon[1] - '0');
		*colon = '\0';
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: mqtt-drive [-5cR] [-i id] [-k s] [-e s] "
	    "[-r n] [-m bytes] [-s ms] [-n n] [-t s] port filter[:qos] ...\n");
	exit(1);
}

static void
options(int argc, char **argv, struct drive *d,
    struct sdc_mqtt_client_config *cfg)
{
	int ch;
	bool expiry = false;

	while ((ch = getopt(argc, argv, "5ci:k:e:r:m:s:Rn:t:")) != -1) {
		switch (ch) {
		case '5': cfg->version = SDC_MQTT_V5; break;
		case 'c': cfg->clean = false; break;
		case 'i': cfg->client_id = optarg; break;
		case 'k': cfg->keepalive = (uint16_t)atoi(optarg); break;
		case 'e':
			cfg->session_expiry = (uint32_t)atol(optarg);
			expiry = true;
			break;
		case 'r': cfg->receive_max = (uint16_t)atoi(optarg); break;
		case 'm': cfg->max_packet = (size_t)atol(optarg); break;
		case 's': d->sleep_ms = atol(optarg); break;
		case 'R': d->reconnect = true; break;
		case 'n': d->want = atol(optarg); break;
		case 't': d->end = now_ms() + atol(optarg) * 1000; break;
		default: usage();
		}
	}
	if (!cfg->clean && !expiry)
		cfg->session_expiry = 3600;
}

int
main(int argc, char **argv)
{
	static struct drive d = { .want = 1 };
	struct sdc_mqtt_client_config cfg = { .version = SDC_MQTT_V311,
	    .client_id = "sdc-drive", .clean = true, .keepalive = 60 };
	struct sdc_mqtt_subscription subs[16];
	int port;

	d.end = now_ms() + 20000;
	options(argc, argv, &d, &cfg);
	if (argc - optind < 2 || argc - optind > 17)
		usage();
	port = atoi(argv[optind]);
	for (int i = optind + 1; i < argc; i++)
		add_filter(&subs[cfg.nsubs++], argv[i]);
	cfg.subs = subs;
	sdc_mqtt_client_init(&d.c, &cfg);
	do {
		if ((d.fd = dial(port)) < 0) {
			if (!d.reconnect) {
				fprintf(stderr, "mqtt-drive: 127.0.0.1:%d: "
				    "%s\n", port, strerror(errno));
				return 1;
			}
			sleep_ms(100);
			continue;
		}
		if (!session(&d))
			break;
		close(d.fd);
		if (d.reconnect)
			sleep_ms(100);
	} while (d.reconnect && now_ms() < d.end);
	fprintf(stderr, "mqtt-drive: %s after %ld of %ld messages\n",
	    now_ms() >= d.end ? "timed out" : "closed", d.taken, d.want);
	sdc_mqtt_client_release(&d.c);
	return now_ms() >= d.end ? 2 : 1;
}
