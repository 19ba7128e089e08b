/* The names of MQTT's reason and return codes, for messages. */
#include <stdint.h>

#include "mqtt-packet.h"
#include "banned.h"

static const struct {
	uint8_t		 code;
	const char	*name;
} reasons[] = {
	{ 0x00, "success" },
	{ 0x04, "disconnect with will message" },
	{ 0x80, "unspecified error" },
	{ 0x81, "malformed packet" },
	{ 0x82, "protocol error" },
	{ 0x83, "implementation specific error" },
	{ 0x84, "unsupported protocol version" },
	{ 0x85, "client identifier not valid" },
	{ 0x86, "bad user name or password" },
	{ 0x87, "not authorized" },
	{ 0x88, "server unavailable" },
	{ 0x89, "server busy" },
	{ 0x8a, "banned" },
	{ 0x8b, "server shutting down" },
	{ 0x8c, "bad authentication method" },
	{ 0x8d, "keep alive timeout" },
	{ 0x8e, "session taken over" },
	{ 0x8f, "topic filter invalid" },
	{ 0x90, "topic name invalid" },
	{ 0x93, "receive maximum exceeded" },
	{ 0x94, "topic alias invalid" },
	{ 0x95, "packet too large" },
	{ 0x96, "message rate too high" },
	{ 0x97, "quota exceeded" },
	{ 0x98, "administrative action" },
	{ 0x99, "payload format invalid" },
	{ 0x9a, "retain not supported" },
	{ 0x9b, "QoS not supported" },
	{ 0x9c, "use another server" },
	{ 0x9d, "server moved" },
	{ 0x9e, "shared subscriptions not supported" },
	{ 0x9f, "connection rate exceeded" },
	{ 0xa0, "maximum connect time" },
	{ 0xa1, "subscription identifiers not supported" },
	{ 0xa2, "wildcard subscriptions not supported" },
};

/* MQTT 3.1.1's CONNACK return codes, 1 to 5. */
static const char *const return_codes[] = {
	"accepted", "unacceptable protocol version", "identifier rejected",
	"server unavailable", "bad user name or password", "not authorized"
};

const char *
sdc_mqtt_reason_name(uint8_t version, uint8_t type, uint8_t code)
{
	if (version != SDC_MQTT_V5 && type == SDC_MQTT_CONNACK)
		return code < 6 ? return_codes[code] : "unknown return code";
	for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
		if (reasons[i].code == code)
			return reasons[i].name;
	return "unknown reason code";
}
