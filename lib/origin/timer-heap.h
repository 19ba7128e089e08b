#ifndef SDC_TIMER_HEAP_H
#define SDC_TIMER_HEAP_H
/*
 * The loop's armed timers, earliest first: a binary min-heap of
 * entries that know their place in it, so that moving or removing one
 * costs a log.  The heap borrows the entries and owns its array.
 */
#include <stddef.h>

#define SDC_TIMER_UNARMED	((size_t)-1)

struct sdc_timer_entry {
	double	due;		/* monotonic seconds */
	size_t	slot;		/* in the heap, or SDC_TIMER_UNARMED */
};

struct sdc_timer_heap {
	struct sdc_timer_entry	**v;
	size_t			  n, cap;
};

void	sdc_timer_heap_release(struct sdc_timer_heap *h);
/* Insert e, or move it when it is in already, due at due. */
void	sdc_timer_heap_set(struct sdc_timer_heap *h, struct sdc_timer_entry *e,
	    double due);
void	sdc_timer_heap_remove(struct sdc_timer_heap *h,
	    struct sdc_timer_entry *e);
/* The earliest entry, or NULL. */
struct sdc_timer_entry *sdc_timer_heap_first(const struct sdc_timer_heap *h);

#endif
