/* A Kalman filter per device across windows. */
#include <math.h>
#include <string.h>

#include "track.h"
#include "banned.h"

#define WALK_NOISE	0.08	/* m^2/s^3: acceleration spectral density */
#define VELOCITY_FADE	30.0	/* s: time constant of a velocity's decay */
#define RESTART_GAP_MS	60000	/* a longer silence starts afresh */
#define INITIAL_SPEED	1.0	/* m/s: velocity sigma of a new track */

static void
start(struct sdc_track *t, const struct sdc_fix *f, int64_t t_ms)
{
	memset(t, 0, sizeof(*t));
	t->started = true;
	t->floor = f->floor;
	t->s[0] = f->x;
	t->s[1] = f->y;
	t->p[0][0] = f->cov[0][0];
	t->p[0][1] = t->p[1][0] = f->cov[0][1];
	t->p[1][1] = f->cov[1][1];
	t->p[2][2] = t->p[3][3] = INITIAL_SPEED * INITIAL_SPEED;
	t->at_ms = t_ms;
}

/* x' = F x, P' = F P F' + Q over dt seconds, per axis. */
static void
predict(struct sdc_track *t, double dt)
{
	double a = exp(-dt / VELOCITY_FADE), q = WALK_NOISE;
	double q11 = q * dt * dt * dt / 3, q12 = q * dt * dt / 2, q22 = q * dt;
	double f[4][4] = { { 1, 0, dt, 0 }, { 0, 1, 0, dt }, { 0, 0, a, 0 },
		{ 0, 0, 0, a } }, fp[4][4], np[4][4], ns[4];
	int i, j, k;

	for (i = 0; i < 4; i++) {
		ns[i] = 0;
		for (k = 0; k < 4; k++)
			ns[i] += f[i][k] * t->s[k];
	}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			fp[i][j] = 0;
			for (k = 0; k < 4; k++)
				fp[i][j] += f[i][k] * t->p[k][j];
		}
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			np[i][j] = 0;
			for (k = 0; k < 4; k++)
				np[i][j] += fp[i][k] * f[j][k];
		}
	for (i = 0; i < 2; i++) {
		np[i][i] += q11;
		np[i][i + 2] += q12;
		np[i + 2][i] += q12;
		np[i + 2][i + 2] += q22;
	}
	memcpy(t->s, ns, sizeof ns);
	memcpy(t->p, np, sizeof np);
}

void
sdc_track_predict(const struct sdc_track *t, int64_t t_ms, double *x,
    double *y)
{
	struct sdc_track c = *t;

	predict(&c, (double)(t_ms - t->at_ms) / 1000);
	*x = c.s[0];
	*y = c.s[1];
}

/* The measurement update with z = fix position, R = its covariance. */
static void
correct(struct sdc_track *t, const struct sdc_fix *f)
{
	double sm[2][2], inv[2][2], k[4][2], det, r[2] = { f->x - t->s[0],
		f->y - t->s[1] }, np[4][4];
	int i, j;

	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++)
			sm[i][j] = t->p[i][j] + f->cov[i][j];
	det = sm[0][0] * sm[1][1] - sm[0][1] * sm[1][0];
	if (!(det > 0))
		return;
	inv[0][0] = sm[1][1] / det;
	inv[1][1] = sm[0][0] / det;
	inv[0][1] = -sm[0][1] / det;
	inv[1][0] = -sm[1][0] / det;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 2; j++)
			k[i][j] = t->p[i][0] * inv[0][j] + t->p[i][1] * inv[1][j];
	for (i = 0; i < 4; i++)
		t->s[i] += k[i][0] * r[0] + k[i][1] * r[1];
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++)
			np[i][j] = t->p[i][j] - k[i][0] * t->p[0][j] -
			    k[i][1] * t->p[1][j];
	memcpy(t->p, np, sizeof np);
}

static void
keep_on_floor(struct sdc_track *t, const struct sdc_site *s)
{
	double x = t->s[0], y = t->s[1];

	sdc_site_clamp(s, t->floor, &t->s[0], &t->s[1]);
	if (x != t->s[0] || y != t->s[1])
		t->s[2] = t->s[3] = 0;	/* a wall stops the walk */
}

/* A fix from another floor counts; the second in a row moves the track. */
static bool
changes_floor(struct sdc_track *t, const struct sdc_fix *f)
{
	if (f->floor == t->floor) {
		t->other_count = 0;
		return false;
	}
	if (t->other_count > 0 && t->other_floor == f->floor)
		return ++t->other_count >= 2;
	t->other_floor = f->floor;
	t->other_count = 1;
	return false;
}

void
sdc_track_update(struct sdc_track *t, const struct sdc_site *s,
    const struct sdc_fix *f, int64_t t_ms)
{
	if (!t->started || t_ms - t->at_ms > RESTART_GAP_MS) {
		start(t, f, t_ms);
		return;
	}
	if (changes_floor(t, f)) {
		start(t, f, t_ms);
		return;
	}
	predict(t, (double)(t_ms - t->at_ms) / 1000);
	t->at_ms = t_ms;
	if (f->floor == t->floor)
		correct(t, f);
	keep_on_floor(t, s);
}

double
sdc_track_uncertainty(const struct sdc_track *t)
{
	return sqrt(fmax(0, t->p[0][0] + t->p[1][1]));
}
