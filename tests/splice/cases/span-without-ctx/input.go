// span-without-ctx: a span rule without SpanName on a method with no
// context.Context parameter and no error result: the span is named
// package.Type.Method, is a child of the goroutine's current span, and ends
// with no error.

package worker

// Worker runs jobs.
type Worker struct{ done int }

// Run runs each job in turn.
func (w *Worker) Run(jobs []func()) {
	for _, job := range jobs {
		job()
		w.done++
	}
}
