/*
 * XML documents, in the manner of the StreamSets XML data format: the
 * elements --xml-record picks (by default each child of the root) are
 * the records, read as they stream by (xml-read.c), and records are
 * written back as such elements (xml-write.c).  The options are here.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "format.h"
#include "xalloc.h"
#include "xml.h"
#include "banned.h"

static ssize_t
input_read(void *in, void *buf, size_t n)
{
	return sdc_input_read(in, buf, n);
}

static void
xml_read(struct sdc_run *run, struct sdc_input *in, const void *opts)
{
	if (!sdc_xml_read_doc(run, in->name, opts, input_read, in))
		sdc_run_input_error(run, in);
}

static struct sdc_writer *
xml_writer(const void *opts)
{
	const struct sdc_xml_opts *o = opts;

	for (size_t i = 0; i < o->nsteps; i++)
		if (strcmp(o->steps[i].local, "*") == 0)
			sdc_usage_error("--xml-record: a path with '*' names "
			    "no element to write");
	return sdc_xml_writer_new(o);
}

/* Options. */
static void
opts_init(void *opts)
{
	struct sdc_xml_opts *o = opts;

	memset(o, 0, sizeof *o);
	o->root = sdc_xstrdup("records");
}

static void
drop_steps(struct sdc_xml_opts *o)
{
	for (size_t i = 0; i < o->nsteps; i++) {
		free(o->steps[i].prefix);
		free(o->steps[i].local);
		free(o->steps[i].qname);
	}
	free(o->steps);
	o->steps = NULL;
	o->nsteps = 0;
}

static void
opts_release(void *opts)
{
	struct sdc_xml_opts *o = opts;

	drop_steps(o);
	for (size_t i = 0; i < o->nns; i++) {
		free(o->ns[i].prefix);
		free(o->ns[i].uri);
	}
	free(o->ns);
	free(o->root);
}

static bool
is_step(const char *p, size_t n)
{
	return (n == 1 && p[0] == '*') || sdc_xml_name_ok(p, n);
}

static void
add_step(struct sdc_xml_opts *o, const char *opt, const char *p, size_t n)
{
	struct sdc_xml_step *s;
	const char *colon = memchr(p, ':', n);

	if (!is_step(p, n) && !(colon != NULL && colon[1] == '*' &&
	    p + n == colon + 2 && sdc_xml_name_ok(p, (size_t)(colon - p))))
		sdc_usage_error("%s: '%.*s' is not an element name or '*'",
		    opt, (int)n, p);
	o->steps = sdc_xreallocarray(o->steps, o->nsteps + 1, sizeof *s);
	s = &o->steps[o->nsteps++];
	s->qname = sdc_xmemdup(p, n);
	s->prefix = colon ? sdc_xmemdup(p, (size_t)(colon - p)) : NULL;
	s->local = colon ? sdc_xmemdup(colon + 1, n - (size_t)(colon - p) - 1)
	    : sdc_xmemdup(p, n);
}

static void
set_record(void *opts, const char *opt, const char *arg)
{
	struct sdc_xml_opts *o = opts;
	const char *p = arg, *slash;

	drop_steps(o);
	o->anywhere = arg[0] != '/';
	if (o->anywhere)
		return add_step(o, opt, arg, strlen(arg));
	while (*p == '/') {
		p++;
		slash = strchr(p, '/');
		add_step(o, opt, p, slash ? (size_t)(slash - p) : strlen(p));
		p = slash ? slash : p + strlen(p);
	}
}

static void
set_root(void *opts, const char *opt, const char *arg)
{
	struct sdc_xml_opts *o = opts;

	if (!sdc_xml_name_ok(arg, strlen(arg)))
		sdc_usage_error("%s: '%s' is not an XML name", opt, arg);
	free(o->root);
	o->root = sdc_xstrdup(arg);
}

static void
set_namespace(void *opts, const char *opt, const char *arg)
{
	struct sdc_xml_opts *o = opts;
	const char *eq = strchr(arg, '=');
	struct sdc_xml_ns *ns;

	if (eq == NULL || eq == arg || eq[1] == '\0' ||
	    !sdc_xml_name_ok(arg, (size_t)(eq - arg)) ||
	    memchr(arg, ':', (size_t)(eq - arg)) != NULL)
		sdc_usage_error("%s: '%s' is not PREFIX=URI", opt, arg);
	o->ns = sdc_xreallocarray(o->ns, o->nns + 1, sizeof *ns);
	ns = &o->ns[o->nns++];
	ns->prefix = sdc_xmemdup(arg, (size_t)(eq - arg));
	ns->uri = sdc_xstrdup(eq + 1);
}

static void
set_preserve_root(void *o, const char *opt, const char *arg)
{
	((struct sdc_xml_opts *)o)->preserve_root = true;
}

static const struct sdc_plugin_option options[] = {
	{ "xml-record", 0, "NAME|PATH",
	  "the record elements (default: the root's children)", set_record },
	{ "xml-root", 0, "NAME", "the root element written (default records)",
	  set_root },
	{ "xml-namespace", 0, "PREFIX=URI", "a prefix of --xml-record's path",
	  set_namespace },
	{ "xml-preserve-root", 0, NULL, "the record element as the one field",
	  set_preserve_root },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct sdc_format sdc_format_xml = {
	.name = "xml",
	.summary = "XML, an element a record (streamed)",
	.options = options,
	.opts_size = sizeof(struct sdc_xml_opts),
	.opts_init = opts_init,
	.opts_release = opts_release,
	.read = xml_read,
	.writer = xml_writer,
};
