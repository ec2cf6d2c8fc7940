package main

import (
	"context"
	"errors"
	"log"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func consumeNATS(ctx context.Context, url string) []func() {
	nc, err := nats.Connect(url)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := nc.Subscribe("orders.nats", func(m *nats.Msg) {
		seen("nats", string(m.Data))
	}); err != nil {
		log.Fatal(err)
	}
	if _, err := nc.QueueSubscribe("rpc.nats", "workers", func(m *nats.Msg) {
		seen("nats-rpc", string(m.Data))
		if err := m.Respond([]byte("re:" + string(m.Data))); err != nil {
			log.Print(err)
		}
	}); err != nil {
		log.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	// A stream of this run's own: its first message has sequence 1.
	if err := js.DeleteStream(ctx, "EVENTS"); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		log.Fatal(err)
	}
	stream, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}})
	if err != nil {
		log.Fatal(err)
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{Durable: "worker", AckPolicy: jetstream.AckExplicitPolicy})
	if err != nil {
		log.Fatal(err)
	}
	cc, err := cons.Consume(func(m jetstream.Msg) {
		seen("jetstream", string(m.Data()))
		if err := m.Ack(); err != nil {
			log.Print(err)
		}
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		log.Fatal(err)
	}
	return []func(){cc.Stop, nc.Close}
}
