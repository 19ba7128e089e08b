/* Plane geometry of a site. */
#include <math.h>

#include "geom.h"
#include "banned.h"

void
sdc_polygon_bound(struct sdc_polygon *p)
{
	size_t i;

	p->minx = p->miny = INFINITY;
	p->maxx = p->maxy = -INFINITY;
	for (i = 0; i < p->n; i++) {
		p->minx = fmin(p->minx, p->v[i].x);
		p->maxx = fmax(p->maxx, p->v[i].x);
		p->miny = fmin(p->miny, p->v[i].y);
		p->maxy = fmax(p->maxy, p->v[i].y);
	}
}

/* Even-odd rule: a ray to the right crosses the edges an odd number of times. */
bool
sdc_polygon_contains(const struct sdc_polygon *p, struct sdc_point q)
{
	bool in = false;
	size_t i, j;

	if (q.x < p->minx || q.x > p->maxx || q.y < p->miny || q.y > p->maxy)
		return false;
	for (i = 0, j = p->n - 1; i < p->n; j = i++) {
		struct sdc_point a = p->v[i], b = p->v[j];

		if ((a.y > q.y) != (b.y > q.y) &&
		    q.x < (b.x - a.x) * (q.y - a.y) / (b.y - a.y) + a.x)
			in = !in;
	}
	return in;
}

static struct sdc_point
nearest_on_segment(struct sdc_point a, struct sdc_point b, struct sdc_point q)
{
	double dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy, t;

	t = len2 > 0 ? ((q.x - a.x) * dx + (q.y - a.y) * dy) / len2 : 0;
	t = fmin(1, fmax(0, t));
	return (struct sdc_point){ a.x + t * dx, a.y + t * dy };
}

struct sdc_point
sdc_polygon_nearest(const struct sdc_polygon *p, struct sdc_point q)
{
	struct sdc_point best = p->v[0];
	double best_d2 = INFINITY;
	size_t i, j;

	for (i = 0, j = p->n - 1; i < p->n; j = i++) {
		struct sdc_point c = nearest_on_segment(p->v[j], p->v[i], q);
		double d2 = (c.x - q.x) * (c.x - q.x) +
		    (c.y - q.y) * (c.y - q.y);

		if (d2 < best_d2) {
			best_d2 = d2;
			best = c;
		}
	}
	return best;
}

double
sdc_polygon_edge_distance(const struct sdc_polygon *p, struct sdc_point q)
{
	struct sdc_point c = sdc_polygon_nearest(p, q);

	return hypot(c.x - q.x, c.y - q.y);
}

double
sdc_polygon_area(const struct sdc_polygon *p)
{
	double twice = 0;
	size_t i, j;

	for (i = 0, j = p->n - 1; i < p->n; j = i++)
		twice += p->v[j].x * p->v[i].y - p->v[i].x * p->v[j].y;
	return fabs(twice) / 2;
}

static double
cross(struct sdc_point o, struct sdc_point a, struct sdc_point b)
{
	return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

static bool
on_segment(struct sdc_point a, struct sdc_point b, struct sdc_point q)
{
	return fmin(a.x, b.x) <= q.x && q.x <= fmax(a.x, b.x) &&
	    fmin(a.y, b.y) <= q.y && q.y <= fmax(a.y, b.y);
}

static int
sign(double v)
{
	return (v > 0) - (v < 0);
}

bool
sdc_segments_meet(struct sdc_point a, struct sdc_point b, struct sdc_point c,
    struct sdc_point d)
{
	int d1 = sign(cross(c, d, a)), d2 = sign(cross(c, d, b));
	int d3 = sign(cross(a, b, c)), d4 = sign(cross(a, b, d));

	if (d1 * d2 < 0 && d3 * d4 < 0)
		return true;
	return (d1 == 0 && on_segment(c, d, a)) ||
	    (d2 == 0 && on_segment(c, d, b)) ||
	    (d3 == 0 && on_segment(a, b, c)) ||
	    (d4 == 0 && on_segment(a, b, d));
}

bool
sdc_segments_cross(struct sdc_point a, struct sdc_point b, struct sdc_point c,
    struct sdc_point d)
{
	return sign(cross(c, d, a)) * sign(cross(c, d, b)) < 0 &&
	    sign(cross(a, b, c)) * sign(cross(a, b, d)) < 0;
}

bool
sdc_polygon_self_intersects(const struct sdc_polygon *p, size_t *ei,
    size_t *ej)
{
	size_t i, j, n = p->n;

	for (i = 0; i < n; i++)
		for (j = i + 2; j < n; j++) {
			if (i == 0 && j == n - 1)
				continue;	/* neighbours through vertex 0 */
			if (sdc_segments_meet(p->v[i], p->v[(i + 1) % n],
			    p->v[j], p->v[(j + 1) % n])) {
				*ei = i;
				*ej = j;
				return true;
			}
		}
	return false;
}
