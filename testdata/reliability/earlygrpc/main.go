// Command earlygrpc serves, on $ADDR, the gRPC server a package made while it
// was initialised, and calls it once through that package's client.
package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"example.com/earlygrpc/early"
)

func main() {
	ln, err := net.Listen("tcp", os.Getenv("ADDR"))
	if err != nil {
		panic(err)
	}
	healthpb.RegisterHealthServer(early.Server, health.NewServer())
	go early.Server.Serve(ln)
	resp, err := healthpb.NewHealthClient(early.Conn).Check(context.Background(), &healthpb.HealthCheckRequest{})
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.GetStatus())
	early.Server.Stop()
}
