#ifndef SDC_LOCATE_SITE_H
#define SDC_LOCATE_SITE_H
/*
 * A site: its floors, radios, sensors, zones, walls and opening hours,
 * read from the JSON file that sdc-locate(1) documents.  A site owns
 * all its memory.
 */
#include <stdbool.h>
#include <stdint.h>

#include "geom.h"
#include "names.h"

#define SDC_RADIOS_MAX	8

enum sdc_zone_kind {
	SDC_ZONE_STORE, SDC_ZONE_CORRIDOR, SDC_ZONE_ENTRANCE,
	SDC_ZONE_FOOD_COURT
};

struct sdc_radio {
	char	*name;		/* "wifi" */
	double	 rssi_1m;	/* dBm at one metre */
	double	 exponent;	/* path-loss exponent n */
	double	 shadowing;	/* sigma of log-normal shadowing, dB */
	double	 sensitivity;	/* weakest RSSI a sensor reports */
	double	 miss;		/* chance a sighting is lost anyway */
};

struct sdc_floor {
	long			 id;
	char			*name;
	double			 height;	/* metres */
	struct sdc_polygon	 outline;
};

struct sdc_sensor {
	char		*id;
	double		 x, y, z;	/* z: its floor's height */
	uint32_t	 floor;		/* index in floors */
	uint32_t	 radios;	/* bit r: hears radios[r] */
	double		 rssi_1m[SDC_RADIOS_MAX];
	double		 exponent[SDC_RADIOS_MAX];
};

struct sdc_zone {
	char			*id;
	char			*name;
	enum sdc_zone_kind	 kind;
	uint32_t		 floor;
	struct sdc_polygon	 polygon;
	uint32_t		*sensors;	/* the sensors inside it */
	uint32_t		 nsensors;
};

struct sdc_wall {
	uint32_t		 floor;
	struct sdc_point	 a, b;
	double			 loss;	/* dB through it */
};

struct sdc_site {
	char			*name;
	struct sdc_floor	*floors;
	uint32_t		 nfloors;
	struct sdc_radio	 radios[SDC_RADIOS_MAX];
	uint32_t		 nradios;
	double			 floor_loss;	/* dB per floor between */
	struct sdc_sensor	*sensors;
	uint32_t		 nsensors;
	struct sdc_zone		*zones;
	uint32_t		 nzones;
	struct sdc_wall		*walls;
	uint32_t		 nwalls;
	bool			 has_hours;
	int			 open_min, close_min;	/* local minutes */
	int			 utc_offset_min;
	double			 spacing;	/* median nearest-sensor distance */
	struct sdc_names	 sensor_ids, zone_ids, radio_names;
};

/*
 * Read and check the site at path: 0, or -1 with the exact problem in
 * err ("mall.json: zones[3] 'z-food': \"polygon\" crosses itself:
 * edges 2 and 5 meet"), or SDC_SITE_UNREADABLE when the file cannot
 * be read (err says why).  The site is to be released in every case.
 */
#define SDC_SITE_UNREADABLE	(-2)
int	sdc_site_load(struct sdc_site *s, const char *path, char *err,
	    size_t errlen);
/* The same from the JSON text[0..len), named name in messages. */
int	sdc_site_parse(struct sdc_site *s, const char *name, const char *text,
	    size_t len, char *err, size_t errlen);
void	sdc_site_release(struct sdc_site *s);
const char *sdc_zone_kind_name(enum sdc_zone_kind k);
/* The zone of floor that contains q, or -1. */
long	sdc_site_zone_at(const struct sdc_site *s, uint32_t floor,
	    struct sdc_point q);
/* Move (*x, *y) onto the nearest point of floor's outline if off it. */
void	sdc_site_clamp(const struct sdc_site *s, uint32_t floor, double *x,
	    double *y);
/* The floor index of the given id, or -1. */
long	sdc_site_floor_index(const struct sdc_site *s, long id);
/* Whether the opening hours (if any) include the instant ms. */
bool	sdc_site_open_at(const struct sdc_site *s, int64_t ms);

#endif
