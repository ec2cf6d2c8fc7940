package main

import (
	"log"
	"net/http"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/streadway/amqp"
)

func routeAMQP(mux *http.ServeMux, url string) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		log.Fatal(err)
	}
	ch, err := conn.Channel()
	if err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/amqp/publish", func(w http.ResponseWriter, r *http.Request) {
		err := ch.PublishWithContext(r.Context(), "", "orders.amqp", false, false,
			amqp091.Publishing{MessageId: r.URL.Query().Get("id"), Body: []byte(r.URL.Query().Get("id"))})
		reply(w, "", err)
	})

	sconn, err := amqp.Dial(url)
	if err != nil {
		log.Fatal(err)
	}
	sch, err := sconn.Channel()
	if err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/streadway/publish", func(w http.ResponseWriter, r *http.Request) {
		err := sch.Publish("", "orders.streadway", false, false,
			amqp.Publishing{MessageId: r.URL.Query().Get("id"), Body: []byte(r.URL.Query().Get("id"))})
		reply(w, "", err)
	})
}
