// The functions declared without a body in linkname.go are defined in
// package runtime by the file otelgo adds to it; this file only tells the
// compiler not to insist on their bodies.
