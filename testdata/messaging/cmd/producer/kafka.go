package main

import (
	"log"
	"net/http"
	"time"

	ibm "github.com/IBM/sarama"
	shopify "github.com/Shopify/sarama"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kgo"
)

func routeKafka(mux *http.ServeMux, addr string) {
	writer := &kafka.Writer{Addr: kafka.TCP(addr), Topic: "orders.kafkago", BatchTimeout: 10 * time.Millisecond}
	mux.HandleFunc("/kafkago/send", func(w http.ResponseWriter, r *http.Request) {
		id := []byte(r.URL.Query().Get("id"))
		reply(w, "", writer.WriteMessages(r.Context(), kafka.Message{Key: id, Value: id}))
	})
	mux.HandleFunc("/kafkago/batch", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		reply(w, "", writer.WriteMessages(r.Context(),
			kafka.Message{Key: []byte(id + "-1"), Value: []byte(id)},
			kafka.Message{Key: []byte(id + "-2"), Value: []byte(id)}))
	})

	ibmConfig := ibm.NewConfig()
	ibmConfig.Version = ibm.V2_1_0_0
	ibmConfig.Producer.Return.Successes = true
	ibmProducer, err := ibm.NewSyncProducer([]string{addr}, ibmConfig)
	if err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/sarama/error", func(w http.ResponseWriter, r *http.Request) {
		// Larger than Producer.MaxMessageBytes: refused before it is sent.
		_, _, err := ibmProducer.SendMessage(&ibm.ProducerMessage{
			Topic: "orders.sarama", Value: ibm.ByteEncoder(make([]byte, ibmConfig.Producer.MaxMessageBytes+1)),
		})
		reply(w, "", err)
	})
	mux.HandleFunc("/sarama/send", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		_, _, err := ibmProducer.SendMessage(&ibm.ProducerMessage{
			Topic: "orders.sarama", Key: ibm.StringEncoder(id), Value: ibm.StringEncoder(id),
		})
		reply(w, "", err)
	})

	shopifyConfig := shopify.NewConfig()
	shopifyConfig.Version = shopify.V2_1_0_0
	shopifyConfig.Producer.Return.Successes = true
	shopifyProducer, err := shopify.NewSyncProducer([]string{addr}, shopifyConfig)
	if err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/shopify/send", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		_, _, err := shopifyProducer.SendMessage(&shopify.ProducerMessage{
			Topic: "orders.shopify", Key: shopify.StringEncoder(id), Value: shopify.StringEncoder(id),
		})
		reply(w, "", err)
	})

	franz, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		log.Fatal(err)
	}
	mux.HandleFunc("/franz/error", func(w http.ResponseWriter, r *http.Request) {
		// No topic, and the client has no default one.
		reply(w, "", franz.ProduceSync(r.Context(), &kgo.Record{Value: []byte(r.URL.Query().Get("id"))}).FirstErr())
	})
	mux.HandleFunc("/franz/send", func(w http.ResponseWriter, r *http.Request) {
		id := []byte(r.URL.Query().Get("id"))
		reply(w, "", franz.ProduceSync(r.Context(), &kgo.Record{Topic: "orders.franz", Key: id, Value: id}).FirstErr())
	})
}
