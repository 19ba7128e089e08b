#ifndef SDC_LOCATE_NAMES_H
#define SDC_LOCATE_NAMES_H
/*
 * Names to small indexes (the ids of a site's sensors and zones).  The
 * table borrows the names, which must outlive it.
 */
#include <stddef.h>
#include <stdint.h>

struct sdc_names {
	struct {
		const char	*name;
		size_t		 len;
		uint32_t	 index;
	}		*slots;
	size_t		 mask;
	size_t		 n;
};

void	sdc_names_init(struct sdc_names *t);
void	sdc_names_release(struct sdc_names *t);
/* 0 when name is there already, else 1. */
int	sdc_names_add(struct sdc_names *t, const char *name, uint32_t index);
/* The index of name[0..len), or -1. */
long	sdc_names_find(const struct sdc_names *t, const char *name,
	    size_t len);

#endif
