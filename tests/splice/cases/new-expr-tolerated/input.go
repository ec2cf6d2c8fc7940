// new-expr-tolerated: Go 1.26's new(expr), which the grammar takes for a
// syntax error, is tolerated in and outside the edited function.

package opts

var defaultName = new("anonymous")

// Options are optional settings.
type Options struct {
	Name    *string
	Retries *int
}

// WithRetries sets Retries.
func WithRetries(o Options, n int) Options {
	o.Retries = new(n)
	return o
}

// Greeting is edited.
func Greeting(o Options) *string {
	if o.Name == nil {
		return new("hello, " + *defaultName)
	}
	return new("hello, " + *o.Name)
}
