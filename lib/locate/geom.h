#ifndef SDC_LOCATE_GEOM_H
#define SDC_LOCATE_GEOM_H
/* Plane geometry of a site, in metres: points, segments, polygons. */
#include <stdbool.h>
#include <stddef.h>

struct sdc_point {
	double	x, y;
};

/* A simple polygon; the last vertex joins the first. */
struct sdc_polygon {
	struct sdc_point	*v;
	size_t			 n;
	double			 minx, miny, maxx, maxy;	/* bounding box */
};

void	sdc_polygon_bound(struct sdc_polygon *p);
bool	sdc_polygon_contains(const struct sdc_polygon *p, struct sdc_point q);
/* The distance from q to the polygon's edges. */
double	sdc_polygon_edge_distance(const struct sdc_polygon *p,
	    struct sdc_point q);
/* The point of the polygon's edges nearest to q. */
struct sdc_point sdc_polygon_nearest(const struct sdc_polygon *p,
	    struct sdc_point q);
double	sdc_polygon_area(const struct sdc_polygon *p);	/* unsigned */
/*
 * Whether two edges that are not neighbours cross or touch: the first
 * such pair in *i, *j when they do.
 */
bool	sdc_polygon_self_intersects(const struct sdc_polygon *p, size_t *i,
	    size_t *j);
/* Whether segments ab and cd cross or touch. */
bool	sdc_segments_meet(struct sdc_point a, struct sdc_point b,
	    struct sdc_point c, struct sdc_point d);
/* Whether they cross at a point inside both, not at an end. */
bool	sdc_segments_cross(struct sdc_point a, struct sdc_point b,
	    struct sdc_point c, struct sdc_point d);

#endif
