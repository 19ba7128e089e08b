#ifndef SDC_SINK_INTERNAL_H
#define SDC_SINK_INTERNAL_H
/* What the framework's own files share (render.c, events.c). */
#include "run.h"
#include "sink.h"

struct sdc_run *sdc_sink_run(const struct sdc_sink *s);
void	sdc_sink_note_event(struct sdc_sink *s);
/*
 * The frame of a record put without its fields, else NULL; *header_len
 * (when asked) the length of its payload's header, decoded and checked.
 */
struct sdc_frame;
const struct sdc_frame *sdc_sink_frame_of(const struct sdc_sink *s,
	    const struct sdc_record *r, size_t *header_len);

#endif
