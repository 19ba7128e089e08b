#include <string.h>
#include <time.h>

#include "record.h"
#include "banned.h"

void
sdc_record_init(struct sdc_record *r)
{
	memset(r, 0, sizeof(*r));
	sdc_arena_init(&r->arena);
	sdc_record_clear(r, SDC_KIND_DATA);
}

void
sdc_record_release(struct sdc_record *r)
{
	sdc_arena_release(&r->arena);
}

void
sdc_record_clear(struct sdc_record *r, enum sdc_kind kind)
{
	/* A copy, not memset: this runs per record and rep stos is slow. */
	static const struct sdc_header empty;

	sdc_arena_reset(&r->arena);
	r->h = empty;
	r->kind = kind;
	sdc_field_null(&r->root, SDC_MAP);
}

static struct sdc_str
arena_str(struct sdc_record *r, const char *s, size_t len)
{
	struct sdc_str out = { sdc_arena_memdup(&r->arena, s, len), len };

	return out;
}

void
sdc_record_set_id(struct sdc_record *r, const char *id, size_t len)
{
	r->h.id = arena_str(r, id, len);
}

void
sdc_record_add_stage(struct sdc_record *r, const char *stage)
{
	struct sdc_header *h = &r->h;

	if (h->nstages == h->cap_stages) {
		uint32_t cap = h->cap_stages ? h->cap_stages * 2 : 4;

		h->stages = sdc_arena_grow(&r->arena, h->stages,
		    h->cap_stages * sizeof(*h->stages),
		    cap * sizeof(*h->stages));
		h->cap_stages = cap;
	}
	h->stages[h->nstages++] = arena_str(r, stage, strlen(stage));
}

const struct sdc_str *
sdc_record_attr(const struct sdc_record *r, const char *key)
{
	size_t len = strlen(key);

	for (uint32_t i = 0; i < r->h.nattrs; i++)
		if (r->h.attrs[i].key.len == len &&
		    memcmp(r->h.attrs[i].key.ptr, key, len) == 0)
			return &r->h.attrs[i].value;
	return NULL;
}

bool
sdc_record_remove_attr(struct sdc_record *r, const char *key)
{
	struct sdc_header *h = &r->h;
	size_t len = strlen(key);

	for (uint32_t i = 0; i < h->nattrs; i++) {
		if (h->attrs[i].key.len != len ||
		    memcmp(h->attrs[i].key.ptr, key, len) != 0)
			continue;
		memmove(h->attrs + i, h->attrs + i + 1,
		    (h->nattrs - i - 1) * sizeof(*h->attrs));
		h->nattrs--;
		return true;
	}
	return false;
}

void
sdc_record_borrow_attrs(struct sdc_record *r, const struct sdc_attr *a,
    size_t n)
{
	struct sdc_header *h = &r->h;

	if (h->nattrs > 0) {
		for (size_t i = 0; i < n; i++)
			sdc_record_set_attr(r, a[i].key.ptr, a[i].value.ptr);
		return;
	}
	if (h->cap_attrs < n) {
		h->attrs = sdc_arena_alloc(&r->arena, n * sizeof(*h->attrs));
		h->cap_attrs = (uint32_t)n;
	}
	memcpy(h->attrs, a, n * sizeof(*a));
	h->nattrs = (uint32_t)n;
}

void
sdc_record_set_attr(struct sdc_record *r, const char *key, const char *value)
{
	struct sdc_header *h = &r->h;
	struct sdc_str *old = (struct sdc_str *)sdc_record_attr(r, key);

	if (old != NULL) {
		*old = arena_str(r, value, strlen(value));
		return;
	}
	if (h->nattrs == h->cap_attrs) {
		uint32_t cap = h->cap_attrs ? h->cap_attrs * 2 : 4;

		h->attrs = sdc_arena_grow(&r->arena, h->attrs,
		    h->cap_attrs * sizeof(*h->attrs), cap * sizeof(*h->attrs));
		h->cap_attrs = cap;
	}
	h->attrs[h->nattrs].key = arena_str(r, key, strlen(key));
	h->attrs[h->nattrs].value = arena_str(r, value, strlen(value));
	h->nattrs++;
}

void
sdc_record_make_error(struct sdc_record *r, const char *stage,
    const char *code, const char *message)
{
	r->kind = SDC_KIND_ERROR;
	r->h.error.stage = arena_str(r, stage, strlen(stage));
	r->h.error.code = arena_str(r, code, strlen(code));
	r->h.error.message = arena_str(r, message, strlen(message));
	r->h.error.timestamp_ms = sdc_now_ms();
}

void
sdc_record_make_event(struct sdc_record *r, const char *type,
    uint64_t version)
{
	r->kind = SDC_KIND_EVENT;
	r->h.event.type = arena_str(r, type, strlen(type));
	r->h.event.version = version;
	r->h.event.timestamp_ms = sdc_now_ms();
}

int64_t
sdc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double
sdc_uptime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
