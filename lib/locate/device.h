#ifndef SDC_LOCATE_DEVICE_H
#define SDC_LOCATE_DEVICE_H
/*
 * The devices seen within the idle timeout, by keyed id: their windows
 * not yet closed, their track, zone and visit.  The table owns them.
 */
#include <stdbool.h>
#include <stdint.h>

#include "devid.h"
#include "history.h"
#include "model.h"
#include "track.h"

struct sdc_window_slot {
	int64_t		 index;		/* start / window_ms */
	struct sdc_obs	*obs;
	uint32_t	 n, cap;
};

/*
 * Visits open at once: a shopper's fix may stray into the next store
 * for a while without ending the visit where the shopper is.
 */
#define SDC_OPEN_VISITS	4

struct sdc_visit {
	bool		open;
	uint32_t	zone;
	int64_t		start_ms, end_ms;
	double		depth;		/* deepest inside, metres */
	double		peak_rssi;	/* at a sensor inside; -inf: none */
};

struct sdc_device {
	uint8_t			 id[SDC_DEVID_LEN];
	char			 hex[SDC_DEVID_HEX];
	bool			 random_mac;
	bool			 returning;
	uint32_t		 center_before;	/* earlier center visits */
	int64_t			 first_ms, last_ms;
	int64_t			 placed_until;	/* end of its last window */
	int64_t			 next_window;	/* lowest not closed */
	uint32_t		 pending;	/* slots with sightings */
	struct sdc_window_slot	*ring;
	struct sdc_track	 track;
	double			 offset, offset_var;
	long			 zone;		/* -1: none */
	struct sdc_visit	 visits[SDC_OPEN_VISITS];
	int64_t			*counted;	/* per zone: last interval */
	struct sdc_history	*history;	/* NULL for a random MAC */
	uint64_t		 windows;
};

struct sdc_device_table {
	struct sdc_device	**slots;
	size_t			  mask, n;
	uint32_t		  nring;	/* windows open at once */
	uint32_t		  nzones;
};

void	sdc_devices_init(struct sdc_device_table *t, uint32_t nring,
	    uint32_t nzones);
void	sdc_devices_release(struct sdc_device_table *t);
struct sdc_device *sdc_devices_find(const struct sdc_device_table *t,
	    const uint8_t id[SDC_DEVID_LEN]);
/* A new device for id, which must not be there yet. */
struct sdc_device *sdc_devices_add(struct sdc_device_table *t,
	    const uint8_t id[SDC_DEVID_LEN]);
void	sdc_devices_remove(struct sdc_device_table *t, struct sdc_device *d);
/* The slot of window index, or NULL when the ring has no room for it. */
struct sdc_window_slot *sdc_device_slot(const struct sdc_device_table *t,
	    struct sdc_device *d, int64_t index);
void	sdc_slot_add(struct sdc_window_slot *s, const struct sdc_obs *o);

#endif
