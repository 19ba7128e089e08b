/* The events of destinations, as event frames downstream (sink.h). */
#include <string.h>

#include "sink.h"
#include "sink-internal.h"
#include "banned.h"

static void
put_text(struct sdc_record *r, const char *key, const char *value)
{
	struct sdc_field *f = sdc_map_append(&r->arena, &r->root, key,
	    strlen(key));

	sdc_field_copy_bytes(&r->arena, f, SDC_STRING, value, strlen(value));
}

static void
put_long(struct sdc_record *r, const char *key, uint64_t value)
{
	struct sdc_field *f = sdc_map_append(&r->arena, &r->root, key,
	    strlen(key));

	sdc_field_int(f, SDC_LONG, (int64_t)value);
}

static struct sdc_record *
begin_event(struct sdc_sink *s, struct sdc_record *r, const char *type,
    const char *id)
{
	sdc_sink_note_event(s);
	sdc_run_new_record(sdc_sink_run(s), r, id, strlen(id));
	sdc_record_make_event(r, type, 1);
	sdc_field_container(&r->root, SDC_LIST_MAP);
	return r;
}

void
sdc_sink_file_closed(struct sdc_sink *s, const char *filepath,
    uint64_t length, uint64_t records)
{
	const char *slash = strrchr(filepath, '/');
	struct sdc_record r;

	sdc_record_init(&r);
	begin_event(s, &r, "file-closed", filepath);
	put_text(&r, "filepath", filepath);
	put_text(&r, "filename", slash != NULL ? slash + 1 : filepath);
	put_long(&r, "length", length);
	put_long(&r, "records", records);
	sdc_run_emit(sdc_sink_run(s), &r);
	sdc_record_release(&r);
}

void
sdc_sink_object_written(struct sdc_sink *s, const char *bucket,
    const char *key, uint64_t length, uint64_t records)
{
	struct sdc_record r;

	sdc_record_init(&r);
	begin_event(s, &r, "object-written", key);
	put_text(&r, "bucket", bucket);
	put_text(&r, "key", key);
	put_long(&r, "length", length);
	put_long(&r, "records", records);
	sdc_run_emit(sdc_sink_run(s), &r);
	sdc_record_release(&r);
}
