#ifndef SDC_PATH_H
#define SDC_PATH_H
/*
 * Field paths in SDC syntax: "/" is the root, "/a/b[2]" a map key and
 * a list index, "/'odd name'" or "/\"odd name\"" a quoted key (a quote
 * inside is doubled or escaped with a backslash).  Parse once, use per
 * record.  A parsed path owns its memory.
 */
#include <stdbool.h>
#include <stddef.h>

#include "field.h"

struct sdc_path_step {
	bool		is_index;
	uint32_t	index;
	struct sdc_str	name;
};

struct sdc_path {
	struct sdc_path_step	*steps;
	size_t			 n;
	char			*names;	/* unquoted names, owned */
};

/* 0, or -1 with a reason such as "unterminated quote at 5" in err. */
int	sdc_path_parse(struct sdc_path *p, const char *text, char *err,
	    size_t errlen);
void	sdc_path_release(struct sdc_path *p);

struct sdc_field *sdc_path_get(struct sdc_field *root,
	    const struct sdc_path *p);
/*
 * The slot at p, created when missing: absent keys are added (missing
 * intermediate containers become LIST_MAP) and an index one past the
 * end appends.  NULL when a step meets a field of the wrong kind or an
 * index further out.
 */
struct sdc_field *sdc_path_set(struct sdc_arena *a, struct sdc_field *root,
	    const struct sdc_path *p);
/* true if something was removed; deleting "/" nulls the root. */
bool	sdc_path_delete(struct sdc_field *root, const struct sdc_path *p);

#endif
