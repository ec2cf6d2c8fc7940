// method-value-receiver: a method on the value type Point (ReceiverType
// "Point"), with a single unnamed result, which the splice names by wrapping
// it: Point becomes (otelgoR0 Point).

package geom

// Point is a point in the plane.
type Point struct{ X, Y int }

// Add returns p+q.
func (p Point) Add(q Point) Point {
	return Point{p.X + q.X, p.Y + q.Y}
}
