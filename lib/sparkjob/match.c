/* Which events launch an application: see match.h. */
#include <stdlib.h>
#include <string.h>

#include "condition.h"
#include "match.h"
#include "xalloc.h"
#include "banned.h"

struct sdc_event_match {
	char			**types;
	size_t			  ntypes;
	bool			  any_type;
	struct sdc_conditions	 *when;
};

struct sdc_event_match *
sdc_event_match_new(void)
{
	struct sdc_event_match *m = sdc_xcalloc(1, sizeof(*m));

	m->when = sdc_conditions_new();
	return m;
}

void
sdc_event_match_on(struct sdc_event_match *m, const char *type)
{
	if (strcmp(type, "*") == 0) {
		m->any_type = true;
		return;
	}
	m->types = sdc_xrealloc(m->types, (m->ntypes + 1) * sizeof(char *));
	m->types[m->ntypes++] = sdc_xstrdup(type);
}

void
sdc_event_match_when(struct sdc_event_match *m, const char *cond)
{
	sdc_conditions_add(m->when, cond);
}

static bool
type_matches(const struct sdc_event_match *m, const struct sdc_record *ev)
{
	const struct sdc_str *t = &ev->h.event.type;

	if (m->any_type)
		return true;
	if (m->ntypes == 0)
		return (t->len == 11 && memcmp(t->ptr, "file-closed", 11) == 0) ||
		    (t->len == 14 && memcmp(t->ptr, "object-written", 14) == 0);
	for (size_t i = 0; i < m->ntypes; i++)
		if (strlen(m->types[i]) == t->len &&
		    memcmp(m->types[i], t->ptr, t->len) == 0)
			return true;
	return false;
}

bool
sdc_event_match(const struct sdc_event_match *m, const struct sdc_record *ev)
{
	return ev->kind == SDC_KIND_EVENT && type_matches(m, ev) &&
	    sdc_conditions_hold(m->when, ev);
}

void
sdc_event_match_free(struct sdc_event_match *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->ntypes; i++)
		free(m->types[i]);
	free(m->types);
	sdc_conditions_free(m->when);
	free(m);
}
