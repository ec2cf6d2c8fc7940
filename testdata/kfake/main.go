// Command kfake runs franz-go's kfake package, a Kafka protocol
// implementation, as a broker of its own for the messaging tests: one
// broker on 127.0.0.1:$KFAKE_PORT that creates topics on first use. It
// prints "listening on ADDR" once it accepts connections and stops on
// SIGTERM or SIGINT.
package main

import (
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

func main() {
	port, err := strconv.Atoi(os.Getenv("KFAKE_PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "kfake: KFAKE_PORT must be a port number:", err)
		os.Exit(2)
	}
	c, err := kfake.NewCluster(
		kfake.NumBrokers(1),
		kfake.Ports(port),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(1),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kfake:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", c.ListenAddrs()[0])
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	c.Close()
}
