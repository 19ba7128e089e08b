#ifndef SDC_MQTT_CLIENT_H
#define SDC_MQTT_CLIENT_H
/*
 * An MQTT 3.1.1 and 5 subscriber's session, without I/O: the caller
 * owns the socket and the clock, and the client acknowledges a QoS 1 or
 * 2 message only when the caller says that its record is written, so
 * that a message the pipeline has not taken yet is never lost.
 *
 * How an event loop drives it (times are the caller's monotonic
 * milliseconds):
 *
 *	sdc_mqtt_client_init(&c, &config);
 *	connect the socket, then sdc_mqtt_client_connect(&c, now);
 *	loop:
 *		write what sdc_mqtt_client_output gives, then tell
 *		    sdc_mqtt_client_sent how much went;
 *		when the socket is readable (and the pipeline has room),
 *		    sdc_mqtt_client_feed the bytes read;
 *		at sdc_mqtt_client_deadline, sdc_mqtt_client_tick;
 *		after a feed or a tick, sdc_mqtt_client_next until it
 *		    returns SDC_MQTT_EV_NONE:
 *		    MESSAGE: write the record, and once it is written
 *		        (now or later) sdc_mqtt_client_ack the message;
 *		    OVERSIZE: write the refusal, then ack it the same way;
 *		    CLOSED: send what output remains if the socket still
 *		        takes it, close the socket, and reconnect later
 *		        with sdc_mqtt_client_connect on a new socket.
 *	on EOF or a socket error: sdc_mqtt_client_lost, then as CLOSED.
 *	to stop: sdc_mqtt_client_disconnect, drain the output, close.
 *
 * Backpressure: while the pipeline is full, the caller stops reading
 * the socket and says so with sdc_mqtt_client_pause, so that the
 * broker's silence is not taken for its death; PINGREQs still go out,
 * so the broker keeps the connection.  With MQTT 5 the broker sends
 * no more than receive_max QoS 1 and 2 messages not yet acknowledged.
 *
 * Sessions: the packet identifiers of QoS 1 and 2 messages delivered
 * and not yet acknowledged, and of QoS 2 messages acknowledged (PUBREC)
 * and not yet released (PUBREL), outlive a connection.  A message the
 * broker delivers again (after a reconnection to a session it kept) is
 * not delivered twice: its acknowledgement goes out when the caller's
 * ack comes, or at once when that came already.  When the broker has
 * no session (CONNACK's session present 0), the old identifiers are
 * forgotten and acks of messages of the old session do nothing.
 *
 * Memory: the client owns its buffers (the input bounded by max_packet
 * and the head of one PUBLISH, the output by a fixed cap); it keeps a
 * copy of the configuration but not of its strings, which must outlive
 * it.  A message's topic and payload point into the input buffer and
 * are valid until the next call of sdc_mqtt_client_feed or _next.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "mqtt-packet.h"

struct sdc_mqtt_client_config {
	uint8_t		 version;	/* SDC_MQTT_V311 or SDC_MQTT_V5 */
	const char	*client_id;	/* "" lets the broker pick one */
	bool		 clean;		/* false: a persistent session */
	uint16_t	 keepalive;	/* seconds; 0 for none */
	const char	*username;	/* NULL for none */
	const uint8_t	*password;	/* NULL for none */
	size_t		 password_len;
	uint32_t	 session_expiry;	/* MQTT 5, seconds */
	uint16_t	 receive_max;	/* MQTT 5; 0 for 65535 */
	size_t		 max_packet;	/* 0 for 1 MiB */
	int64_t		 connect_timeout;	/* ms for CONNACK; 0 for 30 s */
	const struct sdc_mqtt_subscription *subs;	/* at each connection */
	size_t		 nsubs;
};

enum sdc_mqtt_event_type {
	SDC_MQTT_EV_NONE,	/* nothing until more bytes or a tick */
	SDC_MQTT_EV_CONNECTED,	/* CONNACK accepted; session_present */
	SDC_MQTT_EV_SUBSCRIBED,	/* SUBACK: granted, a code a filter */
	SDC_MQTT_EV_MESSAGE,	/* a PUBLISH: message */
	SDC_MQTT_EV_OVERSIZE,	/* a PUBLISH over max_packet, skipped */
	SDC_MQTT_EV_CLOSED	/* the connection is over: reason, code */
};

struct sdc_mqtt_message {
	struct sdc_mqtt_bytes	topic;
	struct sdc_mqtt_bytes	payload;	/* OVERSIZE: p NULL, n the
						   packet's size */
	uint8_t			qos;
	bool			dup, retain;
	uint16_t		packet_id;
	uint8_t			payload_format;	/* MQTT 5: 1 for UTF-8 */
	struct sdc_mqtt_bytes	content_type;	/* MQTT 5, or empty */
	uint32_t		session;	/* for the ack */
};

struct sdc_mqtt_event {
	enum sdc_mqtt_event_type type;
	struct sdc_mqtt_message	message;
	bool			session_present;
	struct sdc_mqtt_bytes	granted;
	uint8_t			code;		/* CLOSED: CONNACK's refusal,
						   the broker's or our reason
						   code, 0 when orderly */
	char			reason[256];	/* CLOSED: why, for people */
};

struct sdc_mqtt_client {
	struct sdc_mqtt_client_config cfg;
	int			state;
	struct sdc_buf		in, out;
	size_t			in_pos;		/* bytes of in taken */
	size_t			skip;		/* of an oversize PUBLISH */
	uint64_t		rx_offset;	/* of this connection */
	uint8_t			*ids;		/* a state a packet id */
	size_t			inflight;
	uint32_t		session;
	uint16_t		sub_id;
	int64_t			keepalive;	/* ms; the broker may set it */
	int64_t			now, last_tx, connect_at, answer_due;
	bool			paused, ping_out, close_pending;
	uint8_t			close_code;
	char			close_reason[256];
};

void	sdc_mqtt_client_init(struct sdc_mqtt_client *c,
	    const struct sdc_mqtt_client_config *cfg);
void	sdc_mqtt_client_release(struct sdc_mqtt_client *c);
/* A new connection's socket is up: CONNECT is queued. */
void	sdc_mqtt_client_connect(struct sdc_mqtt_client *c, int64_t now);
/* Bytes received: how many were taken (fewer once the input is full). */
size_t	sdc_mqtt_client_feed(struct sdc_mqtt_client *c, const void *p,
	    size_t n, int64_t now);
/* The next event of what was fed or ticked, in ev. */
enum sdc_mqtt_event_type sdc_mqtt_client_next(struct sdc_mqtt_client *c,
	    struct sdc_mqtt_event *ev);
/* The record of m is written: acknowledge it (QoS 0: nothing). */
void	sdc_mqtt_client_ack(struct sdc_mqtt_client *c,
	    const struct sdc_mqtt_message *m);
/* When sdc_mqtt_client_tick is next due; INT64_MAX for never. */
int64_t	sdc_mqtt_client_deadline(const struct sdc_mqtt_client *c);
void	sdc_mqtt_client_tick(struct sdc_mqtt_client *c, int64_t now);
/* The caller stops (true) or resumes (false) reading the socket. */
void	sdc_mqtt_client_pause(struct sdc_mqtt_client *c, bool paused,
	    int64_t now);
/* The bytes to send, and how many of them went. */
const uint8_t *sdc_mqtt_client_output(const struct sdc_mqtt_client *c,
	    size_t *n);
void	sdc_mqtt_client_sent(struct sdc_mqtt_client *c, size_t n);
/* The connection ended under us (EOF, error): CLOSED comes next. */
void	sdc_mqtt_client_lost(struct sdc_mqtt_client *c, const char *why);
/* An orderly end: DISCONNECT is queued; CLOSED comes next. */
void	sdc_mqtt_client_disconnect(struct sdc_mqtt_client *c);
/* Is a connection up (CONNECT sent, not closed)? */
bool	sdc_mqtt_client_is_open(const struct sdc_mqtt_client *c);
/* QoS 1 and 2 messages of this connection the broker awaits acks of. */
size_t	sdc_mqtt_client_unacked(const struct sdc_mqtt_client *c);

#endif
