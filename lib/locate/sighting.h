#ifndef SDC_LOCATE_SIGHTING_H
#define SDC_LOCATE_SIGHTING_H
/* A sighting read from a record by the paths of its fields. */
#include <stddef.h>
#include <stdint.h>

#include "path.h"
#include "record.h"
#include "site.h"

struct sdc_sighting_paths {
	struct sdc_path	ts, sensor, device, rssi, radio;
};

/* The device id borrows from the record. */
struct sdc_sighting {
	int64_t		 ts_ms;
	uint32_t	 sensor;
	uint32_t	 radio;
	float		 rssi;
	const char	*device;
	size_t		 device_len;
};

/* Codes of the error records a bad sighting becomes. */
#define SDC_LOCATE_BAD_SIGHTING	"LOCATE_BAD_SIGHTING"
#define SDC_LOCATE_UNKNOWN_SENSOR "LOCATE_UNKNOWN_SENSOR"

/* 0 when the five texts are paths, else -1 with the reason in err. */
int	sdc_sighting_paths_parse(struct sdc_sighting_paths *p,
	    const char *const texts[5], char *err, size_t errlen);
void	sdc_sighting_paths_release(struct sdc_sighting_paths *p);
/*
 * 0, or -1 with the code and the problem ("/rssi: 'strong' is not a
 * number of dBm") for the error record.
 */
int	sdc_sighting_read(const struct sdc_site *s,
	    const struct sdc_sighting_paths *p, struct sdc_record *r,
	    struct sdc_sighting *out, const char **code, char *msg,
	    size_t msglen);

#endif
