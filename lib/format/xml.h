#ifndef SDC_XML_H
#define SDC_XML_H
/*
 * Private to the xml format (xml.c): its options, the reader (a pull
 * parser on libxml2's xmlTextReader, fed by a read callback, so that
 * fuzzers can cut the input as they like) and the writer.  The
 * mapping of elements to fields is in man/sdc-convert.1: attributes
 * are "@name" fields, text "#text", child elements fields of their
 * name, repeated ones a LIST.  The options own their strings; the
 * reader owns its parser and the records it emits.
 */
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <libxml/tree.h>

#include "delimited.h"
#include "format.h"
#include "run.h"

#define SDC_XML_TEXT		"#text"
#define SDC_XML_ATTR		'@'

/* A step of --xml-record: [prefix:]local, local "*" for any. */
struct sdc_xml_step {
	char		*prefix;	/* NULL: any namespace */
	char		*local;
	char		*qname;		/* as written, for the writer */
};

struct sdc_xml_ns {
	char		*prefix;
	char		*uri;
};

struct sdc_xml_opts {
	struct sdc_xml_step	*steps;		/* --xml-record */
	size_t			 nsteps;	/* 0: each child of the root */
	bool			 anywhere;	/* a bare NAME, at any depth */
	char			*root;		/* --xml-root, for writing */
	struct sdc_xml_ns	*ns;		/* --xml-namespace */
	size_t			 nns;
	bool			 preserve_root;
};

/* Like read(2): bytes put in buf, 0 at the end, -1 on error. */
typedef ssize_t	(*sdc_xml_read_fn)(void *ctx, void *buf, size_t n);

/*
 * Parse one document from read for run, name naming it in ids and
 * messages: false when read failed (the caller reports it).
 */
bool	sdc_xml_read_doc(struct sdc_run *run, const char *name,
	    const struct sdc_xml_opts *o, sdc_xml_read_fn read, void *ctx);

/*
 * The reader's record builder (xml-build.c), fed with the nodes of
 * libxml2's tree as they are read: an element starts (_start, the
 * first one beginning a record), its text and entity references come,
 * and it ends (_end, which emits or refuses the record at the last).
 * A record that cannot be built is refused with the first reason and
 * becomes an error record at its end.
 */
struct sdc_xml_frame;

struct sdc_xml_build {
	struct sdc_run		*run;
	const char		*name;		/* of the input */
	bool			 preserve_root;
	struct sdc_record	 rec;
	struct sdc_idbuf	 id;
	struct sdc_xml_frame	*frames;	/* the open elements */
	size_t			 nframes, cap_frames;
	struct sdc_buf		 scratch;	/* attribute values */
	size_t			 bytes, max;	/* the record's size */
	const char		*bad_code;	/* refused: why */
	char			 bad[400];
};

void	sdc_xml_build_init(struct sdc_xml_build *b, struct sdc_run *run,
	    const char *name, bool preserve_root);
void	sdc_xml_build_release(struct sdc_xml_build *b);
void	sdc_xml_build_start(struct sdc_xml_build *b, xmlNodePtr el);
void	sdc_xml_build_end(struct sdc_xml_build *b);
void	sdc_xml_build_text(struct sdc_xml_build *b, const char *p, size_t n);
void	sdc_xml_build_entity(struct sdc_xml_build *b, xmlNodePtr ref);
/* Refuse the record being built; message is its whole text. */
void	sdc_xml_build_refuse(struct sdc_xml_build *b, const char *code,
	    const char *message);

static inline bool
sdc_xml_build_active(const struct sdc_xml_build *b)
{
	return b->nframes > 0;
}

struct sdc_writer *sdc_xml_writer_new(const struct sdc_xml_opts *o);

/* XML 1.0 names (a colon allowed), UTF-8. */
bool	sdc_xml_name_ok(const char *p, size_t n);

#endif
