#ifndef SDC_RECORD_H
#define SDC_RECORD_H
/*
 * A record: frame kind, header and root field, with the arena that
 * holds them.  The record owns its arena; header strings, like field
 * strings, may borrow from the buffer the record was decoded from.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "field.h"

enum sdc_kind {
	SDC_KIND_DATA = 1,
	SDC_KIND_ERROR = 2,
	SDC_KIND_EVENT = 3,
	SDC_KIND_BATCH = 4,
	SDC_KIND_END = 5
};

struct sdc_header {
	struct sdc_str	 id;		/* source id, as "data.csv:12" */
	struct sdc_str	*stages;	/* programs it went through */
	uint32_t	 nstages, cap_stages;
	struct sdc_attr	*attrs;
	uint32_t	 nattrs, cap_attrs;
	struct {			/* SDC_KIND_ERROR only */
		struct sdc_str	code;
		struct sdc_str	message;
		struct sdc_str	stage;
		int64_t		timestamp_ms;
	} error;
	struct {			/* SDC_KIND_EVENT only */
		struct sdc_str	type;
		uint64_t	version;
		int64_t		timestamp_ms;
	} event;
};

struct sdc_record {
	enum sdc_kind		kind;
	struct sdc_header	h;
	struct sdc_field	root;
	struct sdc_arena	arena;
};

void	sdc_record_init(struct sdc_record *r);
void	sdc_record_release(struct sdc_record *r);
/* Empty the record for reuse as kind: no header, null MAP root. */
void	sdc_record_clear(struct sdc_record *r, enum sdc_kind kind);

/* The setters copy their arguments into the record's arena. */
void	sdc_record_set_id(struct sdc_record *r, const char *id, size_t len);
void	sdc_record_add_stage(struct sdc_record *r, const char *stage);
void	sdc_record_set_attr(struct sdc_record *r, const char *key,
	    const char *value);
/*
 * Add the n attributes at a, NUL-terminated strings, borrowed: they
 * must outlive the record's use.  Those r has already are replaced.
 */
void	sdc_record_borrow_attrs(struct sdc_record *r, const struct sdc_attr *a,
	    size_t n);
const struct sdc_str *sdc_record_attr(const struct sdc_record *r,
	    const char *key);
/* Remove the attribute key, keeping the others in order; false if none. */
bool	sdc_record_remove_attr(struct sdc_record *r, const char *key);
/* Make r an error record raised by stage, stamped with the time now. */
void	sdc_record_make_error(struct sdc_record *r, const char *stage,
	    const char *code, const char *message);
void	sdc_record_make_event(struct sdc_record *r, const char *type,
	    uint64_t version);
/* Milliseconds since the epoch. */
int64_t	sdc_now_ms(void);
/* Seconds on a clock that only goes forward, for durations. */
double	sdc_uptime(void);

#endif
