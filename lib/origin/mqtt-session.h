#ifndef SDC_MQTT_SESSION_H
#define SDC_MQTT_SESSION_H
/*
 * Between mqtt-client.c (the connection) and mqtt-session.c (the packet
 * identifiers of a session, over its connections): not for other users.
 */
#include "mqtt-client.h"

enum sdc_mqtt_state {
	SDC_MQTT_ST_IDLE, SDC_MQTT_ST_CONNECTING, SDC_MQTT_ST_SUBSCRIBING,
	SDC_MQTT_ST_READY, SDC_MQTT_ST_CLOSED
};

/* The connection is over, once CLOSED is given out; code is sent in
 * MQTT 5's DISCONNECT when it is one of ours (0x80 and up). */
void	sdc_mqtt_close(struct sdc_mqtt_client *c, bool send, uint8_t code,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void	sdc_mqtt_send_ack(struct sdc_mqtt_client *c, uint8_t type,
	    uint16_t packet_id, uint8_t reason);

/* A PUBLISH of QoS 1 or 2 came: true to deliver it, false when it is
 * one delivered already (or the connection was closed over it). */
bool	sdc_mqtt_session_publish(struct sdc_mqtt_client *c,
	    const struct sdc_mqtt_packet *pk);
void	sdc_mqtt_session_pubrel(struct sdc_mqtt_client *c, uint16_t id);
void	sdc_mqtt_session_ack(struct sdc_mqtt_client *c,
	    const struct sdc_mqtt_message *m);
/* The connection is over: no identifier has come on the next one yet. */
void	sdc_mqtt_session_detach(struct sdc_mqtt_client *c);
/* The broker kept no session: forget every identifier. */
void	sdc_mqtt_session_forget(struct sdc_mqtt_client *c);

#endif
