/* The mqtt origin's options: broker, topics, session, credentials, TLS. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mqtt-origin.h"
#include "net.h"
#include "origin.h"
#include "xalloc.h"
#include "banned.h"

static struct sdc_mqtt_opts *
O(void *opts)
{
	return opts;
}

static void
set_broker(void *opts, const char *opt, const char *arg)
{
	struct sdc_net_addr a;
	const char *why;

	if (!sdc_net_parse(&a, arg, &why))
		sdc_usage_error("%s: '%s': %s", opt, arg, why);
	O(opts)->broker = arg;
}

/* FILTER or FILTER:QOS; the QoS is --qos's when not given. */
static void
set_topic(void *opts, const char *opt, const char *arg)
{
	struct sdc_mqtt_opts *o = opts;
	char *filter = sdc_xstrdup(arg), *colon = strrchr(filter, ':');
	const char *why;
	int qos = -1;

	if (colon != NULL && colon[1] >= '0' && colon[1] <= '2' && !colon[2]) {
		qos = colon[1] - '0';
		*colon = '\0';
	}
	if (!sdc_mqtt_filter_valid((const uint8_t *)filter, strlen(filter),
	    &why))
		sdc_usage_error("%s: '%s': %s", opt, filter, why);
	if (o->ntopics == SDC_MQTT_TOPICS_MAX)
		sdc_usage_error("%s: at most %d topic filters", opt,
		    SDC_MQTT_TOPICS_MAX);
	o->filters[o->ntopics] = filter;
	o->topics[o->ntopics].filter = filter;
	o->topics[o->ntopics].qos = (uint8_t)(qos < 0 ? 0xff : qos);
	o->ntopics++;
}

static void
set_qos(void *opts, const char *opt, const char *arg)
{
	static const char *const levels[] = { "0", "1", "2", NULL };

	O(opts)->qos = sdc_parse_word(opt, arg, levels);
}

static void
set_version(void *opts, const char *opt, const char *arg)
{
	static const char *const versions[] = { "3.1.1", "5", NULL };

	O(opts)->version = sdc_parse_word(opt, arg, versions) == 0 ?
	    SDC_MQTT_V311 : SDC_MQTT_V5;
}

static void
set_client_id(void *opts, const char *opt, const char *arg)
{
	if (strlen(arg) > 65535)
		sdc_usage_error("%s: too long", opt);
	O(opts)->client_id = arg;
}

static void
set_persistent(void *opts, const char *opt, const char *arg)
{
	(void)opt, (void)arg;
	O(opts)->persistent = true;
}

static void
set_expiry(void *opts, const char *opt, const char *arg)
{
	O(opts)->session_expiry = sdc_parse_duration(opt, arg);
}

static void
set_keepalive(void *opts, const char *opt, const char *arg)
{
	double s = sdc_parse_duration(opt, arg);

	if (s > 65535)
		sdc_usage_error("%s: at most 65535 seconds", opt);
	O(opts)->keepalive = s;
}

static void
set_receive_max(void *opts, const char *opt, const char *arg)
{
	unsigned long n = sdc_parse_count(opt, arg);

	if (n < 1 || n > 65535)
		sdc_usage_error("%s: between 1 and 65535", opt);
	O(opts)->receive_max = (unsigned)n;
}

static void
set_username(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->username = arg;
}

static void
set_password_file(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->password_file = arg;
}

static void
set_tls(void *opts, const char *opt, const char *arg)
{
	(void)opt, (void)arg;
	O(opts)->tls = true;
}

static void
set_tls_ca(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls = true;
	O(opts)->tls_config.ca_file = arg;
}

static void
set_tls_cert(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls = true;
	O(opts)->tls_config.cert_file = arg;
}

static void
set_tls_key(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls_config.key_file = arg;
}

static void
set_tls_key_password_file(void *opts, const char *opt, const char *arg)
{
	(void)opt;
	O(opts)->tls_key_password_file = arg;
}

static void
set_tls_insecure(void *opts, const char *opt, const char *arg)
{
	(void)opt, (void)arg;
	O(opts)->tls = true;
	O(opts)->tls_config.insecure = true;
}

const struct sdc_plugin_option sdc_mqtt_options[] = {
	{ "broker", 0, "ADDR", "the broker's host:port (127.0.0.1:1883)",
	  set_broker },
	{ "topic", 0, "FILTER[:QOS]", "a topic filter to subscribe to "
	  "(repeatable)", set_topic },
	{ "qos", 0, "N", "QoS of filters without one: 0, 1 or 2 (1)",
	  set_qos },
	{ "mqtt-version", 0, "V", "protocol: 3.1.1 or 5 (3.1.1)",
	  set_version },
	{ "client-id", 0, "ID", "client identifier (the broker's choice)",
	  set_client_id },
	{ "persistent", 0, NULL, "keep the session between connections",
	  set_persistent },
	{ "session-expiry", 0, "DURATION", "MQTT 5: how long the broker "
	  "keeps it (1h)", set_expiry },
	{ "keepalive", 0, "DURATION", "ping the broker when idle this "
	  "long (60s)", set_keepalive },
	{ "receive-max", 0, "N", "MQTT 5: messages in flight at most "
	  "(65535)", set_receive_max },
	{ "username", 0, "NAME", "user name for the broker", set_username },
	{ "password-file", 0, "FILE", "the password (else "
	  "$SDC_MQTT_PASSWORD)", set_password_file },
	{ "tls", 0, NULL, "connect with TLS", set_tls },
	{ "tls-ca", 0, "FILE", "trust the CAs of FILE (PEM)", set_tls_ca },
	{ "tls-cert", 0, "FILE", "client certificate (PEM)", set_tls_cert },
	{ "tls-key", 0, "FILE", "its key (PEM)", set_tls_key },
	{ "tls-key-password-file", 0, "FILE", "the passphrase of --tls-key "
	  "(else $" SDC_TLS_KEY_PASSWORD_ENV ")", set_tls_key_password_file },
	{ "tls-insecure", 0, NULL, "accept any broker certificate",
	  set_tls_insecure },
	{ NULL, 0, NULL, NULL, NULL }
};

void
sdc_mqtt_opts_init(void *opts)
{
	struct sdc_mqtt_opts *o = opts;

	memset(o, 0, sizeof(*o));
	o->broker = "127.0.0.1:1883";
	o->qos = 1;
	o->version = SDC_MQTT_V311;
	o->session_expiry = 3600;
	o->keepalive = 60;
}

void
sdc_mqtt_opts_release(void *opts)
{
	struct sdc_mqtt_opts *o = opts;

	for (size_t i = 0; i < o->ntopics; i++)
		free(o->filters[i]);
}
