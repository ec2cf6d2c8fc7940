// Command consumer is the receiving end of the messaging tests: it
// subscribes to what cmd/producer sends through each library, from the
// brokers at $NATS_URL, $KAFKA_ADDR and $AMQP_URL, and reports each message
// it processes with a GET of $NOTIFY_URL/seen?lib=LIB&id=ID, made without a
// context. It prints "ready" once every subscription is in place and stops
// on SIGTERM. It contains no OpenTelemetry code.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
)

var notifyURL = os.Getenv("NOTIFY_URL")

// seen reports one processed message.
func seen(lib, id string) {
	resp, err := http.Get(notifyURL + "/seen?lib=" + url.QueryEscape(lib) + "&id=" + url.QueryEscape(id))
	if err != nil {
		log.Printf("notify %s %s: %v", lib, id, err)
		return
	}
	resp.Body.Close()
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	var closers []func()
	closers = append(closers, consumeNATS(ctx, os.Getenv("NATS_URL"))...)
	closers = append(closers, consumeKafka(ctx, os.Getenv("KAFKA_ADDR"))...)
	closers = append(closers, consumeAMQP(ctx, os.Getenv("AMQP_URL"))...)
	fmt.Println("ready")
	<-ctx.Done()
	for _, c := range closers {
		c()
	}
}
