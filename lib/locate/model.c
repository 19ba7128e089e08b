/* Positions from RSSI: the maximum-likelihood fit of a window. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "model.h"
#include "xalloc.h"
#include "banned.h"

#define LN10		2.302585092994046
#define MAX_ITER	20
#define MIN_STEP	0.02	/* metres: a step this small has converged */

/*
 * -log P(a sighting is not reported), its slope lambda and curvature,
 * at z = (sensitivity - mu) / sigma: exp and erfc are the fit's main
 * cost, so they are tabulated once per radio and interpolated.
 */
#define MISS_Z		10
#define MISS_STEPS	64	/* per unit of z */
#define MISS_N		(2 * MISS_Z * MISS_STEPS + 1)

struct sdc_miss_table {
	double	q;
	double	h[MISS_N], lambda[MISS_N], curv[MISS_N];
};

/* One sensor's part in the likelihood of a window. */
struct sdc_model_term {
	double		sx, sy, dz2;	/* the sensor, and its height gap^2 */
	double		a;		/* rssi_1m less floor losses */
	double		n10;		/* 10 n */
	double		sigma, sensitivity, miss;
	double		k, mean;	/* sightings heard, their mean */
	double		m;		/* sightings missed */
	uint32_t	floor;
	const struct sdc_miss_table *table;
};

struct theta {
	double	x, y, d;	/* position, transmit offset */
};

/* -log(P(not reported)) at z = (sensitivity - mu) / sigma, and lambda. */
static double
missing(double z, double q, double *lambda, double *curv)
{
	double phi = exp(-0.5 * z * z) / sqrt(2 * M_PI);
	double cdf = 0.5 * erfc(-z / sqrt(2));
	double g = q + (1 - q) * cdf;

	if (g < 1e-300) {	/* far below: the Mills ratio's limit */
		*lambda = -z;
		*curv = 1;
		return 0.5 * z * z + log(-z * sqrt(2 * M_PI));
	}
	*lambda = (1 - q) * phi / g;
	*curv = fmax(0, *lambda * (z + *lambda));
	return -log(g);
}

static struct sdc_miss_table *
miss_table(double q)
{
	struct sdc_miss_table *t = sdc_xcalloc(1, sizeof(*t));
	int i;

	t->q = q;
	for (i = 0; i < MISS_N; i++)
		t->h[i] = missing(-MISS_Z + (double)i / MISS_STEPS, q,
		    &t->lambda[i], &t->curv[i]);
	return t;
}

/* The table's values at z, linearly between grid points. */
static double
miss_at(const struct sdc_miss_table *t, double z, double *lambda,
    double *curv)
{
	double pos = (z + MISS_Z) * MISS_STEPS, frac;
	int i;

	if (!(pos >= 0 && pos < MISS_N - 1))
		return missing(z, t->q, lambda, curv);
	i = (int)pos;
	frac = pos - i;
	*lambda = t->lambda[i] + frac * (t->lambda[i + 1] - t->lambda[i]);
	*curv = t->curv[i] + frac * (t->curv[i + 1] - t->curv[i]);
	return t->h[i] + frac * (t->h[i + 1] - t->h[i]);
}

void
sdc_model_init(struct sdc_model *m, const struct sdc_site *s,
    enum sdc_estimator e)
{
	uint32_t r;

	memset(m, 0, sizeof(*m));
	m->site = s;
	m->estimator = e;
	m->cap = s->nsensors * SDC_RADIOS_MAX + 1;
	m->terms = sdc_xcalloc(m->cap, sizeof(*m->terms));
	m->heard_mark = sdc_xcalloc((size_t)s->nsensors * SDC_RADIOS_MAX,
	    1);
	m->silent = sdc_xcalloc(m->cap, sizeof(*m->silent));
	for (r = 0; r < s->nradios; r++)
		m->miss[r] = miss_table(s->radios[r].miss);
}

void
sdc_model_release(struct sdc_model *m)
{
	uint32_t r;

	free(m->terms);
	free(m->heard_mark);
	free(m->silent);
	for (r = 0; r < SDC_RADIOS_MAX; r++)
		free(m->miss[r]);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------ the physics */

static double
wall_loss(const struct sdc_site *s, uint32_t floor, double x, double y,
    double sx, double sy)
{
	struct sdc_point p = { x, y }, q = { sx, sy };
	double loss = 0;
	uint32_t i;

	for (i = 0; i < s->nwalls; i++)
		if (s->walls[i].floor == floor &&
		    sdc_segments_meet(p, q, s->walls[i].a, s->walls[i].b))
			loss += s->walls[i].loss;
	return loss;
}

double
sdc_model_expected(const struct sdc_site *s, uint32_t sensor, uint32_t radio,
    double x, double y, uint32_t floor)
{
	const struct sdc_sensor *se = &s->sensors[sensor];
	double dz = s->floors[floor].height - se->z;
	double d2 = (x - se->x) * (x - se->x) + (y - se->y) * (y - se->y) +
	    dz * dz;
	double gap = fabs((double)floor - (double)se->floor);
	double walls = floor == se->floor && s->nwalls > 0 ?
	    wall_loss(s, floor, x, y, se->x, se->y) : 0;

	return se->rssi_1m[radio] - 5 * se->exponent[radio] *
	    log10(fmax(d2, 1)) - s->floor_loss * gap - walls;
}

static void
term_for(const struct sdc_model *m, struct sdc_model_term *t, uint32_t sensor,
    uint32_t radio, uint32_t floor)
{
	const struct sdc_site *s = m->site;
	const struct sdc_sensor *se = &s->sensors[sensor];
	const struct sdc_radio *r = &s->radios[radio];
	double dz = s->floors[floor].height - se->z;

	t->sx = se->x;
	t->sy = se->y;
	t->dz2 = dz * dz;
	t->n10 = 10 * se->exponent[radio];
	t->a = se->rssi_1m[radio] - s->floor_loss *
	    fabs((double)floor - (double)se->floor);
	t->sigma = r->shadowing;
	t->sensitivity = r->sensitivity;
	t->miss = r->miss;
	t->floor = se->floor == floor ? floor : UINT32_MAX;
	t->table = m->miss[radio];
}

/*
 * J = -log L at th, for the terms of floor, with its gradient and the
 * Gauss-Newton approximation of its Hessian when g is not NULL.
 */
static double
objective(const struct sdc_model *m, const struct sdc_model_term *t,
    uint32_t n, const struct theta *th, const struct sdc_fix_input *in,
    uint32_t floor, double g[3], double h[3][3])
{
	double j = 0, dd = th->d - in->offset;
	uint32_t i, a, b;

	if (g != NULL) {
		memset(g, 0, 3 * sizeof(*g));
		memset(h, 0, 9 * sizeof(**h));
	}
	for (i = 0; i < n; i++, t++) {
		double dx = th->x - t->sx, dy = th->y - t->sy;
		double d2 = dx * dx + dy * dy + t->dz2, e = 0, w = 0, mu;
		double grad[3];

		mu = t->a + th->d - t->n10 / (2 * LN10) * log(fmax(d2, 1));
		if (t->floor == floor && m->site->nwalls > 0)
			mu -= wall_loss(m->site, floor, th->x, th->y, t->sx,
			    t->sy);
		if (t->k > 0) {
			double r = t->mean - mu, s2 = t->sigma * t->sigma;

			j += t->k * r * r / (2 * s2);
			e = -t->k * r / s2;
			w = t->k / s2;
		}
		if (t->m > 0) {
			double z = (t->sensitivity - mu) / t->sigma, lam, curv;

			j += t->m * miss_at(t->table, z, &lam, &curv);
			e += t->m * lam / t->sigma;
			w += t->m * curv / (t->sigma * t->sigma);
		}
		if (g == NULL)
			continue;
		grad[0] = d2 > 1 ? -t->n10 * dx / (LN10 * d2) : 0;
		grad[1] = d2 > 1 ? -t->n10 * dy / (LN10 * d2) : 0;
		grad[2] = 1;
		for (a = 0; a < 3; a++) {
			g[a] += e * grad[a];
			for (b = 0; b < 3; b++)
				h[a][b] += w * grad[a] * grad[b];
		}
	}
	j += dd * dd / (2 * in->offset_var);
	if (g != NULL) {
		g[2] += dd / in->offset_var;
		h[2][2] += 1 / in->offset_var;
	}
	return j;
}

/*
 * The chi-square of the sensors heard at th: about their number less
 * three when th is the truth, much more in a wrong minimum.
 */
static double
heard_chi2(const struct sdc_model *m, const struct sdc_model_term *t,
    uint32_t n, const struct theta *th, uint32_t floor)
{
	double chi2 = 0;
	uint32_t i;

	for (i = 0; i < n; i++, t++) {
		double dx = th->x - t->sx, dy = th->y - t->sy, r;
		double d2 = dx * dx + dy * dy + t->dz2;

		if (t->k == 0)
			continue;
		r = t->mean - (t->a + th->d - t->n10 / (2 * LN10) *
		    log(fmax(d2, 1)));
		if (t->floor == floor && m->site->nwalls > 0)
			r += wall_loss(m->site, floor, th->x, th->y, t->sx,
			    t->sy);
		chi2 += t->k * r * r / (t->sigma * t->sigma);
	}
	return chi2;
}

/* ------------------------------------------------------ linear algebra */

/* Solve a x = b for symmetric positive definite a (3x3): false if not. */
static bool
solve3(double a[3][3], const double b[3], double x[3])
{
	double l[3][3] = { { 0 } }, y[3];
	int i, j, k;

	for (i = 0; i < 3; i++)
		for (j = 0; j <= i; j++) {
			double s = a[i][j];

			for (k = 0; k < j; k++)
				s -= l[i][k] * l[j][k];
			if (i == j) {
				if (!(s > 1e-12))
					return false;
				l[i][i] = sqrt(s);
			} else
				l[i][j] = s / l[j][j];
		}
	for (i = 0; i < 3; i++) {
		y[i] = b[i];
		for (k = 0; k < i; k++)
			y[i] -= l[i][k] * y[k];
		y[i] /= l[i][i];
	}
	for (i = 2; i >= 0; i--) {
		x[i] = y[i];
		for (k = i + 1; k < 3; k++)
			x[i] -= l[k][i] * x[k];
		x[i] /= l[i][i];
	}
	return true;
}

static bool
invert3(double a[3][3], double inv[3][3])
{
	int c;

	for (c = 0; c < 3; c++) {
		double e[3] = { 0, 0, 0 }, col[3];

		e[c] = 1;
		if (!solve3(a, e, col))
			return false;
		inv[0][c] = col[0];
		inv[1][c] = col[1];
		inv[2][c] = col[2];
	}
	return true;
}

/* ------------------------------------------------------ the ML fit */

static void
keep_on_floor(const struct sdc_site *s, uint32_t floor, struct theta *th)
{
	sdc_site_clamp(s, floor, &th->x, &th->y);
}

/*
 * Levenberg-Marquardt from th: the J reached, th and h at the end.  A
 * trial step is evaluated with its gradient, kept when it is taken.
 */
static double
fit(const struct sdc_model *m, const struct sdc_model_term *t, uint32_t n,
    const struct sdc_fix_input *in, uint32_t floor, struct theta *th,
    double h[3][3])
{
	double g[3], j = objective(m, t, n, th, in, floor, g, h), damp = 1e-3;
	int iter;

	for (iter = 0; iter < MAX_ITER; iter++) {
		double a[3][3], step[3], minus_g[3] = { -g[0], -g[1], -g[2] };
		double gn[3], hn[3][3], jn;
		struct theta next;
		int r;

		memcpy(a, h, sizeof a);
		for (r = 0; r < 3; r++)
			a[r][r] += damp * h[r][r] + 1e-9;
		if (!solve3(a, minus_g, step)) {
			if ((damp *= 10) > 1e6)
				break;
			continue;
		}
		next = (struct theta){ th->x + step[0], th->y + step[1],
			th->d + step[2] };
		keep_on_floor(m->site, floor, &next);
		jn = objective(m, t, n, &next, in, floor, gn, hn);
		if (jn <= j) {
			bool small = (hypot(next.x - th->x, next.y - th->y) <
			    MIN_STEP && fabs(step[2]) < 0.05) || j - jn < 1e-3;

			*th = next;
			j = jn;
			memcpy(g, gn, sizeof g);
			memcpy(h, hn, sizeof hn);
			damp = fmax(damp / 4, 1e-7);
			if (small)
				break;
		} else if ((damp *= 8) > 1e6)
			break;
	}
	return j;
}

/* The terms of the window on floor: the sensors heard, then silent. */
static uint32_t
make_terms(struct sdc_model *m, const struct sdc_fix_input *in,
    uint32_t floor, const uint32_t *silent, uint32_t nsilent)
{
	struct sdc_model_term *t = m->terms;
	uint32_t i, probes = 0;

	for (i = 0; i < in->nheard; i++)
		if (in->heard[i].k > probes)
			probes = in->heard[i].k;
	for (i = 0; i < in->nheard; i++, t++) {
		term_for(m, t, in->heard[i].sensor, in->heard[i].radio,
		    floor);
		t->k = in->heard[i].k;
		t->mean = in->heard[i].mean;
		t->m = probes - in->heard[i].k;
	}
	for (i = 0; i < nsilent; i++, t++) {
		term_for(m, t, silent[i] / SDC_RADIOS_MAX,
		    silent[i] % SDC_RADIOS_MAX, floor);
		t->k = 0;
		t->mean = 0;
		t->m = probes;
	}
	return (uint32_t)(t - m->terms);
}

/*
 * The sensors that heard nothing of a radio the window has, though the
 * model says they well might have from around start.
 */
static uint32_t
silent_sensors(struct sdc_model *m, const struct sdc_fix_input *in,
    const struct sdc_fix *start, uint32_t *silent)
{
	const struct sdc_site *s = m->site;
	uint32_t i, r, n = 0, radios = 0;

	for (i = 0; i < in->nheard; i++) {
		m->heard_mark[in->heard[i].sensor * SDC_RADIOS_MAX +
		    in->heard[i].radio] = 1;
		radios |= 1u << in->heard[i].radio;
	}
	for (i = 0; i < s->nsensors; i++)
		for (r = 0; r < s->nradios; r++) {
			uint32_t key = i * SDC_RADIOS_MAX + r;

			if (!(radios & s->sensors[i].radios & 1u << r) ||
			    m->heard_mark[key])
				continue;
			if (sdc_model_expected(s, i, r, start->x, start->y,
			    start->floor) + in->offset >=
			    s->radios[r].sensitivity - 3 * s->radios[r].shadowing)
				silent[n++] = key;
		}
	for (i = 0; i < in->nheard; i++)
		m->heard_mark[in->heard[i].sensor * SDC_RADIOS_MAX +
		    in->heard[i].radio] = 0;
	return n;
}

static uint32_t
distinct_sensors(const struct sdc_fix_input *in)
{
	uint32_t i, n = 0;

	for (i = 0; i < in->nheard; i++)
		if (i == 0 || in->heard[i].sensor != in->heard[i - 1].sensor)
			n++;
	return n;
}

/* ------------------------------------------------------ the window */

struct start {
	uint32_t	floor;
	double		x, y;
};

/* The best fit so far of a window, and the terms of its floor. */
struct search {
	struct sdc_model		*m;
	const struct sdc_fix_input	*in;
	uint32_t			 nsilent;
	uint32_t			 floor, nterms;	/* of m->terms */
	double				 j, h[3][3];
	struct theta			 th;
	uint32_t			 th_floor;
};

/* A start worth a fit of its own: another floor, or 2 m from the others. */
static void
add_start(struct start *starts, uint32_t *n, uint32_t floor, double x,
    double y)
{
	uint32_t i;

	for (i = 0; i < *n; i++)
		if (starts[i].floor == floor &&
		    hypot(starts[i].x - x, starts[i].y - y) < 2)
			return;
	starts[(*n)++] = (struct start){ floor, x, y };
}

static const struct sdc_sensor *
loudest(const struct sdc_model *m, const struct sdc_fix_input *in)
{
	const struct sdc_sensor *loud = &m->site->sensors[in->heard[0].sensor];
	double best = in->heard[0].mean;
	uint32_t i;

	for (i = 1; i < in->nheard; i++)
		if (in->heard[i].mean > best) {
			best = in->heard[i].mean;
			loud = &m->site->sensors[in->heard[i].sensor];
		}
	return loud;
}

/* The track's prediction, the weighted centroid, the loudest sensor. */
static uint32_t
starts_for(const struct sdc_model *m, const struct sdc_fix_input *in,
    const struct sdc_fix *centre, struct start starts[3])
{
	const struct sdc_sensor *loud = loudest(m, in);
	uint32_t n = 0;

	if (in->has_hint)
		add_start(starts, &n, in->hint_floor, in->hint_x, in->hint_y);
	add_start(starts, &n, centre->floor, centre->x, centre->y);
	add_start(starts, &n, loud->floor, loud->x + 0.5, loud->y + 0.5);
	return n;
}

static void
use_floor(struct search *se, uint32_t floor)
{
	if (floor == se->floor)
		return;
	se->floor = floor;
	se->nterms = make_terms(se->m, se->in, floor, se->m->silent,
	    se->nsilent);
}

/* Fit from th on floor; true when it beats the best so far. */
static bool
try_start(struct search *se, uint32_t floor, struct theta th)
{
	double h[3][3], j;

	keep_on_floor(se->m->site, floor, &th);
	use_floor(se, floor);
	j = fit(se->m, se->m->terms, se->nterms, se->in, floor, &th, h);
	if (!(j < se->j))
		return false;
	se->j = j;
	se->th = th;
	se->th_floor = floor;
	memcpy(se->h, h, sizeof h);
	return true;
}

/*
 * A sensor close by has a mirror minimum on the far side of it, which
 * a fit from one side cannot leave: the mirror of the best fit through
 * the loudest sensor gets a fit of its own when it is better already.
 */
static void
try_mirror(struct search *se)
{
	const struct sdc_sensor *loud = loudest(se->m, se->in);
	struct theta th = { 2 * loud->x - se->th.x, 2 * loud->y - se->th.y,
		se->th.d };

	if (loud->floor != se->th_floor)
		return;
	keep_on_floor(se->m->site, se->th_floor, &th);
	use_floor(se, se->th_floor);
	if (objective(se->m, se->m->terms, se->nterms, &th, se->in,
	    se->th_floor, NULL, NULL) < se->j)
		try_start(se, se->th_floor, th);
}

/*
 * Further starts only when the fit is poor: a chi-square of the sensors
 * heard beyond three deviations of what the truth gives, or a fix
 * further from the centroid than the centroid's own uncertainty.
 */
static bool
fits_well(struct search *se, const struct sdc_fix *centre)
{
	double good = se->in->nheard + 3 * sqrt(2.0 * se->in->nheard);

	use_floor(se, se->th_floor);
	return heard_chi2(se->m, se->m->terms, se->in->nheard, &se->th,
	    se->th_floor) <= good && hypot(se->th.x - centre->x, se->th.y -
	    centre->y) <= sqrt(centre->cov[0][0] + centre->cov[1][1]);
}

static bool
ml(struct sdc_model *m, const struct sdc_fix_input *in, struct sdc_fix *out)
{
	struct search se = { m, in, 0, UINT32_MAX, 0, INFINITY, { { 0 } },
		{ 0, 0, 0 }, 0 };
	struct start starts[3];
	struct sdc_fix centre;
	double inv[3][3];
	uint32_t i, nstarts;

	sdc_centroid_fix(m->site, in, &centre);
	se.nsilent = silent_sensors(m, in, &centre, m->silent);
	nstarts = starts_for(m, in, &centre, starts);
	for (i = 0; i < nstarts; i++) {
		try_start(&se, starts[i].floor, (struct theta){ starts[i].x,
		    starts[i].y, in->offset });
		if (i == 0)
			try_mirror(&se);
		if (fits_well(&se, &centre))
			break;
	}
	if (!invert3(se.h, inv) || !(inv[0][0] > 0) || !(inv[1][1] > 0))
		return false;
	out->floor = se.th_floor;
	out->x = se.th.x;
	out->y = se.th.y;
	out->cov[0][0] = inv[0][0];
	out->cov[0][1] = out->cov[1][0] = inv[0][1];
	out->cov[1][1] = inv[1][1];
	out->offset = se.th.d;
	out->offset_var = inv[2][2];
	out->fitted = true;
	return true;
}

bool
sdc_model_fix(struct sdc_model *m, const struct sdc_fix_input *in,
    struct sdc_fix *out)
{
	bool done = false;

	if (in->nheard == 0)
		return false;
	memset(out, 0, sizeof(*out));
	out->offset = in->offset;
	out->offset_var = in->offset_var;
	out->sensors = distinct_sensors(in);
	if (out->sensors >= 3 && m->estimator == SDC_EST_ML)
		done = ml(m, in, out);
	else if (out->sensors >= 3 && m->estimator == SDC_EST_LLS)
		done = sdc_lls_fix(m->site, in, out);
	if (!done) {
		out->offset = in->offset;
		out->offset_var = in->offset_var;
		sdc_centroid_fix(m->site, in, out);
	}
	return true;
}
