package main

import (
	"log"
	"net/http"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func routeNATS(mux *http.ServeMux, url string) {
	nc, err := nats.Connect(url)
	if err != nil {
		log.Fatal(err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/nats/publish", func(w http.ResponseWriter, r *http.Request) {
		err := nc.Publish("orders.nats", []byte(r.URL.Query().Get("id")))
		if err == nil {
			err = nc.Flush()
		}
		reply(w, "", err)
	})
	mux.HandleFunc("/nats/request", func(w http.ResponseWriter, r *http.Request) {
		msg, err := nc.Request("rpc.nats", []byte(r.URL.Query().Get("id")), 10*time.Second)
		if err != nil {
			reply(w, "", err)
			return
		}
		reply(w, string(msg.Data), nil)
	})
	mux.HandleFunc("/nats/jetstream", func(w http.ResponseWriter, r *http.Request) {
		_, err := js.Publish(r.Context(), "events.nats", []byte(r.URL.Query().Get("id")))
		reply(w, "", err)
	})
	mux.HandleFunc("/nats/error", func(w http.ResponseWriter, r *http.Request) {
		reply(w, "", nc.Publish("", []byte(r.URL.Query().Get("id"))))
	})
}
