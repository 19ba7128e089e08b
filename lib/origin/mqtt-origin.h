#ifndef SDC_MQTT_ORIGIN_H
#define SDC_MQTT_ORIGIN_H
/* The mqtt origin's options (mqtt-options.c), for mqtt.c. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mqtt-packet.h"
#include "origin.h"
#include "tls.h"

#define SDC_MQTT_TOPICS_MAX	32

struct sdc_mqtt_opts {
	const char	*broker;		/* HOST:PORT */
	struct sdc_mqtt_subscription topics[SDC_MQTT_TOPICS_MAX];
	char		*filters[SDC_MQTT_TOPICS_MAX];	/* owned */
	size_t		 ntopics;
	int		 qos;			/* for topics without :QOS */
	uint8_t		 version;
	const char	*client_id;
	bool		 persistent;
	double		 session_expiry;	/* seconds, MQTT 5 */
	double		 keepalive;		/* seconds */
	unsigned	 receive_max;		/* MQTT 5; 0: 65535 */
	const char	*username;
	const char	*password_file;
	bool		 tls;
	struct sdc_tls_config tls_config;
	const char	*tls_key_password_file;
};

extern const struct sdc_plugin_option sdc_mqtt_options[];
void	sdc_mqtt_opts_init(void *opts);
void	sdc_mqtt_opts_release(void *opts);

#endif
