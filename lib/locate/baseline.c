/* The estimators to compare with: weighted centroid, linear least squares. */
#include <math.h>

#include "baseline.h"
#include "banned.h"

/* The distance the path-loss model gives for what sensor heard. */
static double
model_distance(const struct sdc_site *s, const struct sdc_heard *h,
    double offset)
{
	const struct sdc_sensor *se = &s->sensors[h->sensor];

	return pow(10, (se->rssi_1m[h->radio] + offset - h->mean) /
	    (10 * se->exponent[h->radio]));
}

/* The floor whose sensors heard the device best. */
static uint32_t
loudest_floor(const struct sdc_site *s, const struct sdc_fix_input *in)
{
	double w[64] = { 0 }, best = -1;
	uint32_t i, f = 0;

	for (i = 0; i < in->nheard; i++) {
		uint32_t fl = s->sensors[in->heard[i].sensor].floor;

		if (fl < 64)
			w[fl] += in->heard[i].k * pow(10,
			    in->heard[i].mean / 10);
	}
	for (i = 0; i < s->nfloors && i < 64; i++)
		if (w[i] > best) {
			best = w[i];
			f = i;
		}
	return f;
}

void
sdc_centroid_fix(const struct sdc_site *s, const struct sdc_fix_input *in,
    struct sdc_fix *out)
{
	double sw = 0, sx = 0, sy = 0, spread = 0, var;
	uint32_t i, floor = loudest_floor(s, in);

	for (i = 0; i < in->nheard; i++) {
		const struct sdc_sensor *se = &s->sensors[in->heard[i].sensor];
		double d = fmax(1, model_distance(s, &in->heard[i],
		    in->offset)), w = in->heard[i].k / (d * d);

		sw += w;
		sx += w * se->x;
		sy += w * se->y;
	}
	out->x = sx / sw;
	out->y = sy / sw;
	for (i = 0; i < in->nheard; i++) {
		const struct sdc_sensor *se = &s->sensors[in->heard[i].sensor];
		double d = fmax(1, model_distance(s, &in->heard[i],
		    in->offset)), w = in->heard[i].k / (d * d);

		spread += w * ((se->x - out->x) * (se->x - out->x) +
		    (se->y - out->y) * (se->y - out->y));
	}
	var = (spread / sw + s->spacing * s->spacing / 4) / 2;
	out->floor = floor;
	out->cov[0][0] = out->cov[1][1] = var;
	out->cov[0][1] = out->cov[1][0] = 0;
	out->fitted = false;
}

/*
 * Linear least squares on the squared distances, each equation less
 * that of the loudest sensor: 2 (s_i - s_0) . p = d_0^2 - d_i^2 +
 * |s_i|^2 - |s_0|^2.
 */
bool
sdc_lls_fix(const struct sdc_site *s, const struct sdc_fix_input *in,
    struct sdc_fix *out)
{
	double ata[2][2] = { { 0 } }, atb[2] = { 0 }, det, r2 = 0;
	double d0, x0, y0, dz0, best = -INFINITY;
	uint32_t i, ref = 0, floor = loudest_floor(s, in), n = 0;

	for (i = 0; i < in->nheard; i++)
		if (in->heard[i].mean > best) {
			best = in->heard[i].mean;
			ref = i;
		}
	x0 = s->sensors[in->heard[ref].sensor].x;
	y0 = s->sensors[in->heard[ref].sensor].y;
	dz0 = s->floors[floor].height - s->sensors[in->heard[ref].sensor].z;
	d0 = model_distance(s, &in->heard[ref], in->offset);
	d0 = fmax(0, d0 * d0 - dz0 * dz0);
	for (i = 0; i < in->nheard; i++) {
		const struct sdc_sensor *se = &s->sensors[in->heard[i].sensor];
		double di = model_distance(s, &in->heard[i], in->offset);
		double dz = s->floors[floor].height - se->z;
		double ax = 2 * (se->x - x0), ay = 2 * (se->y - y0), b;
		double w = in->heard[i].k;

		if (i == ref || (ax == 0 && ay == 0))
			continue;
		b = d0 - fmax(0, di * di - dz * dz) + se->x * se->x +
		    se->y * se->y - x0 * x0 - y0 * y0;
		ata[0][0] += w * ax * ax;
		ata[0][1] += w * ax * ay;
		ata[1][1] += w * ay * ay;
		atb[0] += w * ax * b;
		atb[1] += w * ay * b;
		n++;
	}
	det = ata[0][0] * ata[1][1] - ata[0][1] * ata[0][1];
	if (n < 2 || !(fabs(det) > 1e-9))
		return false;
	out->x = (ata[1][1] * atb[0] - ata[0][1] * atb[1]) / det;
	out->y = (ata[0][0] * atb[1] - ata[0][1] * atb[0]) / det;
	out->floor = floor;
	sdc_site_clamp(s, floor, &out->x, &out->y);
	for (i = 0; i < in->nheard; i++) {
		const struct sdc_sensor *se = &s->sensors[in->heard[i].sensor];
		double di = model_distance(s, &in->heard[i], in->offset);
		double r = hypot(out->x - se->x, out->y - se->y) - di;

		r2 += in->heard[i].k * r * r;
	}
	r2 /= fmax(1, (double)in->nheard - 2);
	/* The residual spread of the distances, scaled to metres. */
	out->cov[0][0] = out->cov[1][1] = fmax(1, r2) / 2;
	out->cov[0][1] = out->cov[1][0] = 0;
	out->fitted = true;
	return true;
}
