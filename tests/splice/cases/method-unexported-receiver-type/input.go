// method-unexported-receiver-type: a hook package cannot name the type conn,
// so the hook gets the receiver as interface{}; []byte and int it can name.

package pool

import "io"

// conn is one pooled connection.
type conn struct {
	w       io.Writer
	written int
}

func (c *conn) Write(p []byte) (n int, err error) {
	n, err = c.w.Write(p)
	c.written += n
	return n, err
}
