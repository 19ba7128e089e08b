#ifndef SDC_LOCATE_HISTORY_H
#define SDC_LOCATE_HISTORY_H
/*
 * What sdc-locate remembers of each device across runs: its visits to
 * the center and to each store, and its RSSI offset.  The table owns
 * its entries.  The state file is a record stream (sdc-record(5)) of
 * one record per device, replaced atomically (written aside, synced,
 * renamed over), so that a crash leaves the old file or the new one.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devid.h"
#include "site.h"

struct sdc_store_count {
	uint32_t	zone;
	uint32_t	visits;
	int64_t		last_ms;
};

struct sdc_history {
	uint8_t			 id[SDC_DEVID_LEN];
	int64_t			 first_ms, last_ms;
	uint32_t		 center_visits;
	double			 offset, offset_var;	/* dB, dB^2 */
	struct sdc_store_count	*stores;
	uint32_t		 nstores, cap;
};

struct sdc_history_table {
	struct sdc_history	**slots;
	size_t			  mask, n;
	uint64_t		  skipped_zones;	/* unknown on load */
};

void	sdc_history_init(struct sdc_history_table *t);
void	sdc_history_release(struct sdc_history_table *t);
struct sdc_history *sdc_history_find(const struct sdc_history_table *t,
	    const uint8_t id[SDC_DEVID_LEN]);
/* A new entry for id, which must not be there yet. */
struct sdc_history *sdc_history_add(struct sdc_history_table *t,
	    const uint8_t id[SDC_DEVID_LEN]);
/* The visits made to zone before now; the count and time updated. */
uint32_t sdc_history_count_visit(struct sdc_history *h, uint32_t zone,
	    int64_t ms);
uint32_t sdc_history_store_visits(const struct sdc_history *h,
	    uint32_t zone);

/*
 * Load the state file at path, if there is one: 0, or -1 with the
 * problem in err when it cannot be read or is not a whole state file.
 */
int	sdc_history_load(struct sdc_history_table *t, const struct sdc_site *s,
	    const char *path, size_t max_record, char *err, size_t errlen);
/*
 * Forget devices last seen before horizon_ms, then replace the file at
 * path: 0, or -1 with the problem in err (the old file stays).
 */
int	sdc_history_save(struct sdc_history_table *t, const struct sdc_site *s,
	    const char *path, int64_t horizon_ms, char *err, size_t errlen);

#endif
