/*
 * Errors for librdkafka's mock cluster to answer Produce requests with,
 * so that the tests see retries and failures without a broker that
 * misbehaves on demand.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "kafka-sink.h"
#include <librdkafka/rdkafka_mock.h>	/* after rdkafka.h */
#include "banned.h"

#define MOCK_ERRORS_MAX	1024
#define API_PRODUCE	0	/* the Kafka protocol's ApiKey of Produce */

static bool
error_code(const char *name, size_t len, rd_kafka_resp_err_t *code)
{
	const struct rd_kafka_err_desc *descs;
	size_t i, n;
	char *end;
	long v;

	v = strtol(name, &end, 10);
	if (end == name + len && len > 0) {
		*code = (rd_kafka_resp_err_t)v;
		return true;
	}
	rd_kafka_get_err_descs(&descs, &n);
	for (i = 0; i < n; i++)
		if (descs[i].name != NULL && strlen(descs[i].name) == len &&
		    strncmp(descs[i].name, name, len) == 0) {
			*code = descs[i].code;
			return true;
		}
	return false;
}

/* The errors of list in codes: how many, or -1 when it does not parse. */
static long
parse_errors(const char *list, rd_kafka_resp_err_t *codes, size_t max)
{
	const char *p = list, *end, *star;
	rd_kafka_resp_err_t code;
	unsigned long times;
	size_t n = 0;

	while (*p != '\0') {
		end = p + strcspn(p, ",");
		star = memchr(p, '*', (size_t)(end - p));
		times = star == NULL ? 1 : strtoul(star + 1, NULL, 10);
		if (!error_code(p, (size_t)((star ? star : end) - p), &code) ||
		    times == 0 || times > max - n)
			return -1;
		while (times-- > 0)
			codes[n++] = code;
		p = *end == ',' ? end + 1 : end;
	}
	return (long)n;
}

void
sdc_kafka_mock_errors_check(const char *opt, const char *list)
{
	rd_kafka_resp_err_t codes[MOCK_ERRORS_MAX];

	if (parse_errors(list, codes, MOCK_ERRORS_MAX) <= 0)
		sdc_usage_error("%s: '%s': not ERROR[*N],... (names as "
		    "NOT_ENOUGH_REPLICAS, or numbers; %d at most)", opt, list,
		    MOCK_ERRORS_MAX);
}

void
sdc_kafka_mock_errors(rd_kafka_t *rk, const char *list)
{
	rd_kafka_resp_err_t codes[MOCK_ERRORS_MAX];
	rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(rk);
	long n = parse_errors(list, codes, MOCK_ERRORS_MAX);

	if (mc == NULL)
		sdc_usage_error("--mock-errors needs librdkafka's mock cluster "
		    "(-X test.mock.num.brokers=N)");
	rd_kafka_mock_push_request_errors_array(mc, API_PRODUCE, (size_t)n,
	    codes);
}
