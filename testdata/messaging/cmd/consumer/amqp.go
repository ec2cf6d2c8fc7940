package main

import (
	"context"
	"log"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/streadway/amqp"
)

func consumeAMQP(ctx context.Context, url string) []func() {
	conn, err := amqp091.Dial(url)
	if err != nil {
		log.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := ch.QueueDeclare("orders.amqp", false, false, false, false, nil); err != nil {
		log.Fatal(err)
	}
	deliveries, err := ch.Consume("orders.amqp", "amqp-worker", false, false, false, false, nil)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for d := range deliveries {
			seen("amqp", string(d.Body))
			if err := d.Ack(false); err != nil {
				log.Print(err)
			}
		}
	}()

	sconn, err := amqp.Dial(url)
	if err != nil {
		log.Fatal(err)
	}
	sch, err := sconn.Channel()
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sch.QueueDeclare("orders.streadway", false, false, false, false, nil); err != nil {
		log.Fatal(err)
	}
	sdeliveries, err := sch.Consume("orders.streadway", "streadway-worker", true, false, false, false, nil)
	if err != nil {
		log.Fatal(err)
	}
	go func() {
		for d := range sdeliveries {
			seen("streadway", string(d.Body))
		}
	}()
	return []func(){func() { conn.Close() }, func() { sconn.Close() }}
}
