/* MQTT topic names and filters: their syntax, and matching one to other. */
#include <stdint.h>
#include <string.h>

#include "mqtt-packet.h"
#include "utf8.h"
#include "banned.h"

bool
sdc_mqtt_utf8_valid(const uint8_t *p, size_t n)
{
	return sdc_utf8_valid(p, n) && (n == 0 || memchr(p, 0, n) == NULL);
}

static bool
refuse(const char **why, const char *reason)
{
	*why = reason;
	return false;
}

bool
sdc_mqtt_topic_valid(const uint8_t *p, size_t n, const char **why)
{
	if (n == 0)
		return refuse(why, "empty topic name");
	if (!sdc_mqtt_utf8_valid(p, n))
		return refuse(why, "topic not valid UTF-8 or with U+0000");
	if (memchr(p, '+', n) || memchr(p, '#', n))
		return refuse(why, "wildcard in a topic name");
	return true;
}

bool
sdc_mqtt_filter_valid(const uint8_t *p, size_t n, const char **why)
{
	if (n == 0)
		return refuse(why, "empty topic filter");
	if (!sdc_mqtt_utf8_valid(p, n))
		return refuse(why,
		    "topic filter not valid UTF-8 or with U+0000");
	for (size_t i = 0; i < n; i++) {
		bool starts = i == 0 || p[i - 1] == '/';
		bool ends = i + 1 == n || p[i + 1] == '/';

		if (p[i] == '+' && !(starts && ends))
			return refuse(why,
			    "'+' not a whole level of the filter");
		if (p[i] == '#' && !(starts && i + 1 == n))
			return refuse(why, "'#' not the last whole level");
	}
	return true;
}

static size_t
level_end(const uint8_t *p, size_t from, size_t n)
{
	const uint8_t *slash = memchr(p + from, '/', n - from);

	return slash ? (size_t)(slash - p) : n;
}

bool
sdc_mqtt_topic_matches(const uint8_t *filter, size_t fn, const uint8_t *topic,
    size_t tn)
{
	size_t f = 0, t = 0;

	/* Topics of the broker's own, "$SYS/...", only by name. */
	if (tn > 0 && topic[0] == '$' && fn > 0 &&
	    (filter[0] == '+' || filter[0] == '#'))
		return false;
	for (;;) {
		size_t fe, te;

		if (f < fn && filter[f] == '#')
			return true;
		fe = level_end(filter, f, fn);
		te = level_end(topic, t, tn);
		if (!(fe - f == 1 && filter[f] == '+') &&
		    (fe - f != te - t || memcmp(filter + f, topic + t, fe - f)))
			return false;
		f = fe;
		t = te;
		if (f == fn || t == tn)	/* "a/#" matches "a" too */
			return f == fn ? t == tn :
			    t == tn && fn - f == 2 && filter[f + 1] == '#';
		f++;
		t++;
	}
}
