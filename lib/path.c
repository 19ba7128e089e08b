#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "xalloc.h"
#include "banned.h"

struct parser {
	const char	*text;
	const char	*p;
	char		*names;		/* write position in path->names */
	char		*err;
	size_t		 errlen;
};

static int
syntax(struct parser *ps, const char *what)
{
	if (ps->err != NULL)
		snprintf(ps->err, ps->errlen, "%s at %zu", what,
		    (size_t)(ps->p - ps->text) + 1);
	return -1;
}

static int
parse_quoted(struct parser *ps, struct sdc_path_step *s)
{
	char q = *ps->p++;

	s->name.ptr = ps->names;
	for (;;) {
		if (*ps->p == '\0')
			return syntax(ps, "unterminated quote");
		if (*ps->p == '\\' && ps->p[1] != '\0')
			ps->p++;
		else if (*ps->p == q && ps->p[1] == q)
			ps->p++;
		else if (*ps->p == q)
			break;
		*ps->names++ = *ps->p++;
	}
	ps->p++;
	s->name.len = (size_t)(ps->names - s->name.ptr);
	return 0;
}

static int
parse_name(struct parser *ps, struct sdc_path_step *s)
{
	size_t n = strcspn(ps->p, "/[");

	if (*ps->p == '\'' || *ps->p == '"')
		return parse_quoted(ps, s);
	if (n == 0)
		return syntax(ps, "empty field name");
	memcpy(ps->names, ps->p, n);
	s->name.ptr = ps->names;
	s->name.len = n;
	ps->names += n;
	ps->p += n;
	return 0;
}

static int
parse_index(struct parser *ps, struct sdc_path_step *s)
{
	unsigned long long v = 0;
	const char *start = ++ps->p;

	while (*ps->p >= '0' && *ps->p <= '9' && v <= UINT32_MAX)
		v = v * 10 + (unsigned)(*ps->p++ - '0');
	if (ps->p == start || *ps->p != ']' || v > UINT32_MAX)
		return syntax(ps, "bad list index");
	ps->p++;
	s->is_index = true;
	s->index = (uint32_t)v;
	return 0;
}

int
sdc_path_parse(struct sdc_path *path, const char *text, char *err,
    size_t errlen)
{
	size_t len = strlen(text);
	struct parser ps = { text, text, NULL, err, errlen };

	path->steps = sdc_xcalloc(len + 1, sizeof(*path->steps));
	path->names = ps.names = sdc_xmalloc(len + 1);
	path->n = 0;
	if (strcmp(text, "/") == 0)
		return 0;
	while (*ps.p != '\0') {
		struct sdc_path_step *s = &path->steps[path->n];
		int rc;

		if (*ps.p == '/' && ps.p[1] != '[')
			ps.p++, rc = parse_name(&ps, s);
		else if (*ps.p == '/' || *ps.p == '[')
			ps.p += *ps.p == '/', rc = parse_index(&ps, s);
		else
			rc = syntax(&ps, "expected '/' or '['");
		if (rc != 0) {
			sdc_path_release(path);
			return -1;
		}
		path->n++;
	}
	return 0;
}

void
sdc_path_release(struct sdc_path *p)
{
	free(p->steps);
	free(p->names);
	p->steps = NULL;
	p->names = NULL;
	p->n = 0;
}

static bool
is_map(const struct sdc_field *f)
{
	return f->type == SDC_MAP || f->type == SDC_LIST_MAP;
}

static struct sdc_field *
step_get(struct sdc_field *f, const struct sdc_path_step *s)
{
	if (f->null)
		return NULL;
	if (s->is_index)
		return f->type == SDC_LIST && s->index < f->count ?
		    &f->v.items[s->index] : NULL;
	return is_map(f) ? sdc_map_get(f, s->name.ptr, s->name.len) : NULL;
}

struct sdc_field *
sdc_path_get(struct sdc_field *root, const struct sdc_path *p)
{
	struct sdc_field *f = root;

	for (size_t i = 0; i < p->n && f != NULL; i++)
		f = step_get(f, &p->steps[i]);
	return f;
}

static struct sdc_field *
step_set(struct sdc_arena *a, struct sdc_field *f,
    const struct sdc_path_step *s)
{
	if (s->is_index) {
		if (f->null && f->type == SDC_LIST)
			sdc_field_container(f, SDC_LIST);
		if (f->null || f->type != SDC_LIST || s->index > f->count)
			return NULL;
		return s->index == f->count ? sdc_list_append(a, f) :
		    &f->v.items[s->index];
	}
	if (f->null)
		sdc_field_container(f, is_map(f) ? f->type : SDC_LIST_MAP);
	if (!is_map(f))
		return NULL;
	return sdc_map_put(a, f, s->name.ptr, s->name.len);
}

struct sdc_field *
sdc_path_set(struct sdc_arena *a, struct sdc_field *root,
    const struct sdc_path *p)
{
	struct sdc_field *f = root;

	for (size_t i = 0; i < p->n && f != NULL; i++)
		f = step_set(a, f, &p->steps[i]);
	return f;
}

bool
sdc_path_delete(struct sdc_field *root, const struct sdc_path *p)
{
	struct sdc_path parent = { p->steps, p->n ? p->n - 1 : 0, NULL };
	struct sdc_field *f;
	const struct sdc_path_step *last;

	if (p->n == 0) {
		sdc_field_null(root, root->type);
		return true;
	}
	f = sdc_path_get(root, &parent);
	last = &p->steps[p->n - 1];
	if (f == NULL || f->null)
		return false;
	if (last->is_index)
		return f->type == SDC_LIST && sdc_list_remove(f, last->index);
	return is_map(f) && sdc_map_remove(f, last->name.ptr, last->name.len);
}
