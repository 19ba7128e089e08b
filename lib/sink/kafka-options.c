/* The kafka destination's options: brokers, topic, key, partitions, -X. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"
#include "kafka-sink.h"
#include "sink.h"
#include "template.h"
#include "xalloc.h"
#include "banned.h"

static struct sdc_kafka_opts *
O(void *opts)
{
	return opts;
}

static void
check_path(const char *opt, const char *arg)
{
	struct sdc_path p;
	char err[128];

	if (sdc_path_parse(&p, arg, err, sizeof(err)) < 0)
		sdc_usage_error("%s: '%s': %s", opt, arg, err);
	sdc_path_release(&p);
}

static void
set_brokers(void *opts, const char *opt, const char *arg)
{
	if (*arg == '\0')
		sdc_usage_error("%s: no broker given", opt);
	O(opts)->brokers = arg;
}

static void
set_topic(void *opts, const char *opt, const char *arg)
{
	char err[128];
	struct sdc_template *t;

	if (*arg == '\0')
		sdc_usage_error("%s: an empty topic", opt);
	if ((t = sdc_template_parse(arg, err, sizeof(err))) == NULL)
		sdc_usage_error("%s: '%s': %s", opt, arg, err);
	sdc_template_free(t);
	O(opts)->topic = arg;
}

static void
set_topic_field(void *opts, const char *opt, const char *arg)
{
	size_t n = strlen(arg) + 4;

	check_path(opt, arg);
	free(O(opts)->topic_field);
	O(opts)->topic_field = sdc_xmalloc(n);
	snprintf(O(opts)->topic_field, n, "${%s}", arg);
}

static void
set_key_field(void *opts, const char *opt, const char *arg)
{
	check_path(opt, arg);
	O(opts)->key_field = arg;
}

static void
set_partition_field(void *opts, const char *opt, const char *arg)
{
	check_path(opt, arg);
	O(opts)->partition_field = arg;
}

static void
set_partitioner(void *opts, const char *opt, const char *arg)
{
	static const char *const words[] = { "sticky", "round-robin", "key",
		"field", NULL };
	static const enum sdc_kafka_partitioner kinds[] = {
		SDC_KAFKA_PART_STICKY, SDC_KAFKA_PART_ROUND_ROBIN,
		SDC_KAFKA_PART_KEY, SDC_KAFKA_PART_FIELD };

	O(opts)->partitioner = kinds[sdc_parse_word(opt, arg, words)];
}

static void
add_header_attr(struct sdc_kafka_opts *o, const char *name, size_t len)
{
	o->header_attrs = sdc_xreallocarray(o->header_attrs,
	    o->nheader_attrs + 1, sizeof(*o->header_attrs));
	o->header_attrs[o->nheader_attrs++] = sdc_xmemdup(name, len);
}

/* "all", or attribute names separated by commas. */
static void
set_headers(void *opts, const char *opt, const char *arg)
{
	struct sdc_kafka_opts *o = opts;
	const char *p = arg, *comma;

	if (strcmp(arg, "all") == 0) {
		o->all_headers = true;
		return;
	}
	for (;;) {
		comma = strchr(p, ',');
		if ((comma ? (size_t)(comma - p) : strlen(p)) == 0)
			sdc_usage_error("%s: '%s': an empty attribute name",
			    opt, arg);
		add_header_attr(o, p, comma ? (size_t)(comma - p) : strlen(p));
		if (comma == NULL)
			break;
		p = comma + 1;
	}
}

static void
set_no_idempotence(void *opts, const char *opt, const char *arg)
{
	(void)opt, (void)arg;
	O(opts)->idempotence = false;
}

/*
 * A secret's value is "@FILE" or "env:NAME", never the secret itself,
 * which anyone could read in the process list.
 */
static void
load_secret(struct sdc_kafka_property *p, const char *opt)
{
	char what[128];

	snprintf(what, sizeof(what), "%s for %s", p->key, opt);
	if (p->value[0] == '@' && p->value[1] != '\0')
		sdc_secret_load(&p->secret, p->value + 1, NULL, what, "@");
	else if (strncmp(p->value, "env:", 4) == 0 && p->value[4] != '\0') {
		if (getenv(p->value + 4) == NULL || *getenv(p->value + 4) == 0)
			sdc_usage_error("%s %s: $%s is not set", opt, p->key,
			    p->value + 4);
		sdc_secret_load(&p->secret, NULL, p->value + 4, what, "@");
	}
	else
		sdc_usage_error("%s %s: a secret is given as %s=@FILE or "
		    "%s=env:VARIABLE, never in the command line", opt, p->key,
		    p->key, p->key);
	if (memchr(p->secret.data, '\0', p->secret.len) != NULL)
		sdc_usage_error("%s %s: the secret holds a NUL byte", opt,
		    p->key);
}

static void
set_property(void *opts, const char *opt, const char *arg)
{
	struct sdc_kafka_opts *o = opts;
	struct sdc_kafka_property *p;
	const char *eq = strchr(arg, '=');

	if (strcmp(arg, "list") == 0) {
		rd_kafka_conf_properties_show(stdout);
		exit(SDC_EXIT_OK);
	}
	if (eq == NULL || eq == arg)
		sdc_usage_error("%s: '%s': not KEY=VALUE (-X list shows the "
		    "properties)", opt, arg);
	o->props = sdc_xreallocarray(o->props, o->nprops + 1,
	    sizeof(*o->props));
	p = &o->props[o->nprops++];
	memset(p, 0, sizeof(*p));
	p->key = sdc_xmemdup(arg, (size_t)(eq - arg));
	p->value = sdc_xstrdup(eq + 1);
	if (sdc_kafka_property_secret(p->key))
		load_secret(p, opt);
}

static void
set_mock_errors(void *opts, const char *opt, const char *arg)
{
	sdc_kafka_mock_errors_check(opt, arg);
	O(opts)->mock_errors = arg;
}

const struct sdc_plugin_option sdc_kafka_options[] = {
	{ "brokers", 0, "HOST:PORT,...", "the bootstrap brokers",
	  set_brokers },
	{ "topic", 0, "TOPIC", "the topic, a name or a template "
	  "(${/field}, %Y...)", set_topic },
	{ "topic-field", 0, "PATH", "the topic is this field's value",
	  set_topic_field },
	{ "key-field", 0, "PATH", "the message key is this field's value",
	  set_key_field },
	{ "partitioner", 0, "HOW", "sticky, round-robin, key or field (key "
	  "with --key-field, else sticky)", set_partitioner },
	{ "partition-field", 0, "PATH", "the partition number is this "
	  "field's value", set_partition_field },
	{ "headers-from-attributes", 0, "NAMES", "message headers from the "
	  "record's attributes: all, or names separated by commas",
	  set_headers },
	{ "no-idempotence", 0, NULL, "no idempotent producer (duplicates "
	  "possible on retries)", set_no_idempotence },
	{ "property", 'X', "KEY=VALUE", "a librdkafka property (repeatable; "
	  "secrets as KEY=@FILE or KEY=env:VAR; -X list shows them)",
	  set_property },
	{ "mock-errors", 0, "ERR[*N],...", "testing, with -X "
	  "test.mock.num.brokers: fail the next Produce requests so",
	  set_mock_errors },
	{ NULL, 0, NULL, NULL, NULL }
};

void
sdc_kafka_opts_init(void *opts)
{
	memset(opts, 0, sizeof(struct sdc_kafka_opts));
	O(opts)->idempotence = true;
}

void
sdc_kafka_opts_release(void *opts)
{
	struct sdc_kafka_opts *o = opts;
	size_t i;

	for (i = 0; i < o->nprops; i++) {
		free(o->props[i].key);
		free(o->props[i].value);
		sdc_secret_release(&o->props[i].secret);
	}
	free(o->props);
	for (i = 0; i < o->nheader_attrs; i++)
		free(o->header_attrs[i]);
	free(o->header_attrs);
	free(o->topic_field);
}

const char *
sdc_kafka_opts_property(const struct sdc_kafka_opts *o, const char *key)
{
	size_t i;

	for (i = o->nprops; i-- > 0;)
		if (strcmp(o->props[i].key, key) == 0)
			return o->props[i].secret.data != NULL ?
			    (const char *)o->props[i].secret.data :
			    o->props[i].value;
	return NULL;
}
