package nats

import (
	"testing"

	"github.com/nats-io/nats.go"
)

func TestHeaderBlockGetsTheInjectedHeaders(t *testing.T) {
	for _, hdr := range [][]byte{nil, []byte("NATS/1.0\r\nA: b\r\n\r\n")} {
		c := headerCarrier{}
		if len(hdr) > 0 {
			c.existing, _ = nats.DecodeHeadersMsg(hdr)
		}
		c.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
		got, err := nats.DecodeHeadersMsg(c.append(hdr))
		if err != nil {
			t.Fatalf("%q: %v", c.append(hdr), err)
		}
		if got.Get("traceparent") != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" {
			t.Errorf("%v", got)
		}
		if len(hdr) > 0 && got.Get("A") != "b" {
			t.Errorf("lost the program's header: %v", got)
		}
	}
}

func TestJetStreamAckSubject(t *testing.T) {
	for reply, want := range map[string][2]string{
		"$JS.ACK.EVENTS.worker.1.7.7.1700000000000000000.0":               {"worker", "7"},
		"$JS.ACK.hub.ACCHASH.EVENTS.worker.1.9.9.1700000000000000000.0.x": {"worker", "9"},
		"_INBOX.abc": {"", ""},
	} {
		if c, s := jetStreamAck(reply); c != want[0] || s != want[1] {
			t.Errorf("%s: %q %q", reply, c, s)
		}
	}
}

func TestControlMessages(t *testing.T) {
	heartbeat := &nats.Msg{Header: nats.Header{"Status": []string{"100"}}}
	if !controlMessage(heartbeat) || controlMessage(&nats.Msg{Data: []byte("x")}) {
		t.Error("control message")
	}
	if !internalSubject("$JS.API.STREAM.INFO.X") || internalSubject("orders") {
		t.Error("internal subject")
	}
}
