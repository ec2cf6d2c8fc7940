// Command producer is the sending end of the messaging tests: it serves
// HTTP on $ADDR and, inside each request, sends one message through one
// library to the brokers at $NATS_URL, $KAFKA_ADDR and $AMQP_URL. It
// contains no OpenTelemetry code. Each route takes ?id=ID, the message's
// key and body:
//
//	/nats/publish      nc.Publish to orders.nats (no context)
//	/nats/request      nc.Request to rpc.nats, answered by the consumer
//	/nats/jetstream    jetstream Publish to events.nats (the request's context)
//	/nats/error        nc.Publish to an empty subject (fails)
//	/kafkago/send      kafka-go Writer.WriteMessages (the request's context)
//	/kafkago/batch     two messages in one WriteMessages
//	/sarama/send       IBM/sarama SyncProducer.SendMessage (no context)
//	/sarama/error      a message too large for the producer (fails)
//	/shopify/send      Shopify/sarama SyncProducer.SendMessage (no context)
//	/franz/send        franz-go Client.ProduceSync (the request's context)
//	/franz/error       a record without a topic (fails)
//	/amqp/publish      amqp091-go Channel.PublishWithContext to orders.amqp
//	/streadway/publish streadway/amqp Channel.Publish to orders.streadway (no context)
package main

import (
	"log"
	"net/http"
	"os"
)

func main() {
	mux := http.NewServeMux()
	routeNATS(mux, os.Getenv("NATS_URL"))
	routeKafka(mux, os.Getenv("KAFKA_ADDR"))
	routeAMQP(mux, os.Getenv("AMQP_URL"))
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

// reply writes 500 with the error, or 200 with body.
func reply(w http.ResponseWriter, body string, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write([]byte(body))
}
