/* A window's sightings per sensor and radio, outliers left out. */
#include <math.h>
#include <stdlib.h>

#include "model.h"
#include "banned.h"

#define OUTLIER_SIGMAS	3.0

static int
compare_obs(const void *a, const void *b)
{
	const struct sdc_obs *x = a, *y = b;

	if (x->sensor != y->sensor)
		return x->sensor < y->sensor ? -1 : 1;
	if (x->radio != y->radio)
		return x->radio < y->radio ? -1 : 1;
	return (x->rssi > y->rssi) - (x->rssi < y->rssi);
}

/*
 * The mean of sorted values v[0..n) without those further from the
 * median than OUTLIER_SIGMAS robust deviations (or shadowing sigmas,
 * whichever is wider): *kept of them.
 */
static double
robust_mean(const struct sdc_obs *v, uint32_t n, double sigma,
    uint32_t *kept)
{
	double med = n % 2 ? v[n / 2].rssi :
	    (v[n / 2 - 1].rssi + v[n / 2].rssi) / 2;
	double dev[64], mad, limit, sum = 0;
	uint32_t i, j, k = 0;

	if (n < 4 || n > 64) {
		for (i = 0; i < n; i++)
			sum += v[i].rssi;
		*kept = n;
		return sum / n;
	}
	for (i = 0; i < n; i++)
		dev[i] = fabs(v[i].rssi - med);
	for (i = 1; i < n; i++)	/* insertion sort: n is small */
		for (j = i; j > 0 && dev[j - 1] > dev[j]; j--) {
			double t = dev[j];

			dev[j] = dev[j - 1];
			dev[j - 1] = t;
		}
	mad = 1.4826 * dev[n / 2];
	limit = OUTLIER_SIGMAS * fmax(mad, sigma);
	for (i = 0; i < n; i++)
		if (fabs(v[i].rssi - med) <= limit) {
			sum += v[i].rssi;
			k++;
		}
	*kept = k;
	return sum / k;
}

uint32_t
sdc_heard_from_obs(const struct sdc_site *s, struct sdc_obs *obs, uint32_t n,
    struct sdc_heard *heard)
{
	uint32_t i = 0, j, nh = 0;

	qsort(obs, n, sizeof(*obs), compare_obs);
	while (i < n) {
		for (j = i; j < n && obs[j].sensor == obs[i].sensor &&
		    obs[j].radio == obs[i].radio; j++)
			;
		heard[nh].sensor = obs[i].sensor;
		heard[nh].radio = obs[i].radio;
		heard[nh].mean = robust_mean(obs + i, j - i,
		    s->radios[obs[i].radio].shadowing, &heard[nh].k);
		nh++;
		i = j;
	}
	return nh;
}
