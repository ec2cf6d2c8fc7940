package amqphooks

import "testing"

func TestDestination(t *testing.T) {
	for _, c := range []struct{ exchange, key, queue, want string }{
		{"", "orders", "", "orders"},
		{"logs", "warning", "", "logs:warning"},
		{"logs", "", "", "logs"},
		{"", "", "", "amq.default"},
		{"", "orders", "orders", "orders"},
		{"logs", "warning", "q1", "logs:warning:q1"},
	} {
		if got := Destination(c.exchange, c.key, c.queue); got != c.want {
			t.Errorf("Destination(%q, %q, %q) = %q, want %q", c.exchange, c.key, c.queue, got, c.want)
		}
	}
}
