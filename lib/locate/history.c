/* The devices' history, and the state file that keeps it. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame-reader.h"
#include "history.h"
#include "varint.h"
#include "wire.h"
#include "xalloc.h"
#include "banned.h"

#define STATE_KIND	"state"
#define FLUSH_AT	(1u << 20)	/* bytes written at a time */

static size_t
slot_hash(const uint8_t id[SDC_DEVID_LEN])
{
	uint64_t h;

	memcpy(&h, id, sizeof h);	/* an HMAC: uniform already */
	return (size_t)h;
}

void
sdc_history_init(struct sdc_history_table *t)
{
	memset(t, 0, sizeof(*t));
	t->mask = 255;
	t->slots = sdc_xcalloc(t->mask + 1, sizeof(*t->slots));
}

static void
free_entry(struct sdc_history *h)
{
	free(h->stores);
	free(h);
}

void
sdc_history_release(struct sdc_history_table *t)
{
	size_t i;

	for (i = 0; t->slots != NULL && i <= t->mask; i++)
		if (t->slots[i] != NULL)
			free_entry(t->slots[i]);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static size_t
slot_of(const struct sdc_history_table *t, const uint8_t id[SDC_DEVID_LEN])
{
	size_t i = slot_hash(id) & t->mask;

	while (t->slots[i] != NULL && memcmp(t->slots[i]->id, id,
	    SDC_DEVID_LEN) != 0)
		i = (i + 1) & t->mask;
	return i;
}

struct sdc_history *
sdc_history_find(const struct sdc_history_table *t,
    const uint8_t id[SDC_DEVID_LEN])
{
	return t->slots[slot_of(t, id)];
}

static void
put(struct sdc_history_table *t, struct sdc_history *h)
{
	t->slots[slot_of(t, h->id)] = h;
	t->n++;
}

static void
resize(struct sdc_history_table *t, size_t mask)
{
	struct sdc_history **old = t->slots;
	size_t i, old_mask = t->mask;

	t->mask = mask;
	t->n = 0;
	t->slots = sdc_xcalloc(mask + 1, sizeof(*t->slots));
	for (i = 0; i <= old_mask; i++)
		if (old[i] != NULL)
			put(t, old[i]);
	free(old);
}

struct sdc_history *
sdc_history_add(struct sdc_history_table *t, const uint8_t id[SDC_DEVID_LEN])
{
	struct sdc_history *h = sdc_xcalloc(1, sizeof(*h));

	if ((t->n + 1) * 2 > t->mask + 1)
		resize(t, t->mask * 2 + 1);
	memcpy(h->id, id, SDC_DEVID_LEN);
	put(t, h);
	return h;
}

static struct sdc_store_count *
store(const struct sdc_history *h, uint32_t zone)
{
	uint32_t i;

	for (i = 0; i < h->nstores; i++)
		if (h->stores[i].zone == zone)
			return &h->stores[i];
	return NULL;
}

uint32_t
sdc_history_store_visits(const struct sdc_history *h, uint32_t zone)
{
	const struct sdc_store_count *c = store(h, zone);

	return c != NULL ? c->visits : 0;
}

static struct sdc_store_count *
add_store(struct sdc_history *h, uint32_t zone)
{
	if (h->nstores == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 4;
		h->stores = sdc_xreallocarray(h->stores, h->cap,
		    sizeof(*h->stores));
	}
	h->stores[h->nstores] = (struct sdc_store_count){ zone, 0, 0 };
	return &h->stores[h->nstores++];
}

uint32_t
sdc_history_count_visit(struct sdc_history *h, uint32_t zone, int64_t ms)
{
	struct sdc_store_count *c = store(h, zone);
	uint32_t before;

	if (c == NULL)
		c = add_store(h, zone);
	before = c->visits++;
	if (ms > c->last_ms)
		c->last_ms = ms;
	return before;
}

/* ------------------------------------------------------------ saving */

static void
put_long(struct sdc_record *r, struct sdc_field *map, const char *key,
    enum sdc_type type, int64_t v)
{
	sdc_field_int(sdc_map_append(&r->arena, map, key, strlen(key)), type,
	    v);
}

static void
put_double(struct sdc_record *r, struct sdc_field *map, const char *key,
    double v)
{
	sdc_field_double(sdc_map_append(&r->arena, map, key, strlen(key)), v);
}

static void
entry_record(struct sdc_record *r, const struct sdc_site *s,
    const struct sdc_history *h, char *hex)
{
	struct sdc_field *stores, *one;
	uint32_t i;

	sdc_record_clear(r, SDC_KIND_DATA);
	sdc_record_set_attr(r, "sdc-locate.kind", STATE_KIND);
	sdc_field_container(&r->root, SDC_LIST_MAP);
	sdc_devid_hex(h->id, hex);
	sdc_field_borrow(sdc_map_append(&r->arena, &r->root, "device", 6),
	    SDC_STRING, hex, SDC_DEVID_HEX);
	put_long(r, &r->root, "first_seen", SDC_DATETIME, h->first_ms * 1000);
	put_long(r, &r->root, "last_seen", SDC_DATETIME, h->last_ms * 1000);
	put_long(r, &r->root, "center_visits", SDC_LONG, h->center_visits);
	put_double(r, &r->root, "rssi_offset", h->offset);
	put_double(r, &r->root, "rssi_offset_var", h->offset_var);
	stores = sdc_map_append(&r->arena, &r->root, "stores", 6);
	sdc_field_container(stores, SDC_LIST_MAP);
	for (i = 0; i < h->nstores; i++) {
		const char *zone = s->zones[h->stores[i].zone].id;

		one = sdc_map_append(&r->arena, stores, zone, strlen(zone));
		sdc_field_container(one, SDC_LIST_MAP);
		put_long(r, one, "visits", SDC_LONG, h->stores[i].visits);
		put_long(r, one, "last", SDC_DATETIME,
		    h->stores[i].last_ms * 1000);
		stores = sdc_map_get(&r->root, "stores", 6);
	}
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Write out what b holds once it is large, or at the end. */
static int
flush(int fd, struct sdc_buf *b, bool always)
{
	if (!always && b->len < FLUSH_AT)
		return 0;
	if (write_all(fd, b->data, b->len) != 0)
		return -1;
	sdc_buf_reset(b);
	return 0;
}

/* The devices seen since horizon_ms, as a whole record stream on fd. */
static int
write_stream(int fd, struct sdc_history_table *t, const struct sdc_site *s,
    int64_t horizon_ms, const char **why)
{
	struct sdc_record r;
	struct sdc_buf b;
	char hex[SDC_DEVID_HEX];
	uint8_t count[SDC_VARINT_MAX];
	uint64_t frames = 0;
	size_t i;
	int rc = 0;

	sdc_record_init(&r);
	sdc_buf_init(&b, 2 * FLUSH_AT + 2 * SDC_DEFAULT_MAX_RECORD);
	sdc_wire_stream_header(&b);
	for (i = 0; rc == 0 && i <= t->mask; i++) {
		struct sdc_history *h = t->slots[i];

		if (h == NULL || h->last_ms < horizon_ms)
			continue;
		entry_record(&r, s, h, hex);
		if (!sdc_wire_encode(&b, &r, SDC_DEFAULT_MAX_RECORD, why))
			rc = -1;
		else if ((rc = flush(fd, &b, false)) != 0)
			*why = NULL;	/* errno says */
		frames++;
	}
	if (rc == 0) {
		sdc_wire_frame(&b, SDC_KIND_END, count, sdc_varint_put(count,
		    frames));
		if ((rc = flush(fd, &b, true)) != 0)
			*why = NULL;
	}
	sdc_buf_release(&b);
	sdc_record_release(&r);
	return rc;
}

static void
forget(struct sdc_history_table *t, int64_t horizon_ms)
{
	size_t i;

	for (i = 0; i <= t->mask; i++)
		if (t->slots[i] != NULL && t->slots[i]->last_ms < horizon_ms) {
			free_entry(t->slots[i]);
			t->slots[i] = NULL;
		}
	resize(t, t->mask);
}

static int
sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash == NULL ? sdc_xstrdup(".") :
	    sdc_xmemdup(path, slash == path ? 1 : (size_t)(slash - path));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = -1;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

/*
 * Write the state beside path, sync it, rename it over path and sync
 * the folder: a crash at any moment leaves the old file or the new.
 */
int
sdc_history_save(struct sdc_history_table *t, const struct sdc_site *s,
    const char *path, int64_t horizon_ms, char *err, size_t errlen)
{
	size_t n = strlen(path) + 5;
	char *tmp = sdc_xmalloc(n);
	const char *why = NULL, *failed = tmp;
	int fd, rc = -1;

	forget(t, horizon_ms);
	snprintf(tmp, n, "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && write_stream(fd, t, s, horizon_ms, &why) == 0 &&
	    fsync(fd) == 0) {
		close(fd);
		fd = -1;
		failed = path;
		if (rename(tmp, path) == 0 && sync_dir(path) == 0)
			rc = 0;
	}
	if (rc != 0)
		snprintf(err, errlen, "%s: %s", failed, why != NULL ? why :
		    strerror(errno));
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

/* ----------------------------------------------------------- loading */

static struct sdc_field *
get(struct sdc_field *map, const char *key, enum sdc_type type)
{
	struct sdc_field *f = sdc_map_get(map, key, strlen(key));

	return f != NULL && f->type == type && !f->null ? f : NULL;
}

static int
load_stores(struct sdc_history_table *t, const struct sdc_site *s,
    struct sdc_history *h, struct sdc_field *stores)
{
	uint32_t i;

	for (i = 0; i < stores->count; i++) {
		struct sdc_entry *e = &stores->v.entries[i];
		struct sdc_field *visits, *last;
		struct sdc_store_count *c;
		long zone;

		if (!sdc_type_is_container(e->value.type) ||
		    e->value.type == SDC_LIST ||
		    (visits = get(&e->value, "visits", SDC_LONG)) == NULL ||
		    (last = get(&e->value, "last", SDC_DATETIME)) == NULL)
			return -1;
		zone = sdc_names_find(&s->zone_ids, e->key.ptr, e->key.len);
		if (zone < 0) {	/* the zone left the site */
			t->skipped_zones++;
			continue;
		}
		c = add_store(h, (uint32_t)zone);
		c->visits = (uint32_t)visits->v.i;
		c->last_ms = last->v.i / 1000;
	}
	return 0;
}

static int
load_entry(struct sdc_history_table *t, const struct sdc_site *s,
    struct sdc_record *r)
{
	struct sdc_field *dev = get(&r->root, "device", SDC_STRING);
	struct sdc_field *first = get(&r->root, "first_seen", SDC_DATETIME);
	struct sdc_field *last = get(&r->root, "last_seen", SDC_DATETIME);
	struct sdc_field *visits = get(&r->root, "center_visits", SDC_LONG);
	struct sdc_field *off = get(&r->root, "rssi_offset", SDC_DOUBLE);
	struct sdc_field *var = get(&r->root, "rssi_offset_var", SDC_DOUBLE);
	struct sdc_field *stores = get(&r->root, "stores", SDC_LIST_MAP);
	uint8_t id[SDC_DEVID_LEN];
	struct sdc_history *h;

	if (dev == NULL || first == NULL || last == NULL || visits == NULL ||
	    off == NULL || var == NULL || stores == NULL ||
	    !sdc_devid_from_hex(dev->v.s.ptr, dev->v.s.len, id) ||
	    sdc_history_find(t, id) != NULL || !(var->v.d > 0))
		return -1;
	h = sdc_history_add(t, id);
	h->first_ms = first->v.i / 1000;
	h->last_ms = last->v.i / 1000;
	h->center_visits = (uint32_t)visits->v.i;
	h->offset = off->v.d;
	h->offset_var = var->v.d;
	return load_stores(t, s, h, stores);
}

static int
load_frames(struct sdc_history_table *t, const struct sdc_site *s,
    struct sdc_frame_reader *fr, char *err, size_t errlen)
{
	struct sdc_record r;
	struct sdc_frame f;
	enum sdc_read_status st;
	const char *reason = NULL;
	int rc = 0;

	sdc_record_init(&r);
	while (rc == 0 && (st = sdc_frame_reader_next(fr, &f)) ==
	    SDC_READ_FRAME) {
		if (f.kind != SDC_KIND_DATA ||
		    sdc_wire_decode(&r, SDC_KIND_DATA, f.payload,
		    f.payload_len, &reason) != 0 || load_entry(t, s, &r) != 0) {
			snprintf(err, errlen, "%s: at byte %llu: %s", fr->name,
			    (unsigned long long)f.offset, reason != NULL ?
			    reason : "not a device's state");
			rc = -1;
		}
	}
	if (rc == 0 && st != SDC_READ_EOF) {
		snprintf(err, errlen, "%s", fr->err);
		rc = -1;
	}
	sdc_record_release(&r);
	return rc;
}

int
sdc_history_load(struct sdc_history_table *t, const struct sdc_site *s,
    const char *path, size_t max_record, char *err, size_t errlen)
{
	struct sdc_frame_reader fr;
	int rc;

	if (sdc_frame_reader_open(&fr, path, max_record) != 0) {
		if (errno == ENOENT)
			return 0;	/* the first run */
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = load_frames(t, s, &fr, err, errlen);
	sdc_frame_reader_close(&fr);
	return rc;
}
