// method-pointer-receiver: a method on *Client (ReceiverType "*Client"). The
// enter hook gets the receiver first; the trampolines never replace it.

package client

import "errors"

// Client sends requests to one host.
type Client struct {
	Host string
	sent int
}

// Send sends one request.
func (c *Client) Send(path string) (status int, err error) {
	if path == "" {
		return 0, errors.New("client: empty path")
	}
	c.sent++
	return 200, nil
}
