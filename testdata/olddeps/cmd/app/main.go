// Command app answers GET /check/{service} with the status a gRPC health
// server reports for the service: the server is its own, on loopback, and
// it is asked through grpc.Dial, which every gRPC release has. Each answer
// also pings the program itself over HTTP with http.Get, which takes no
// context: its span still belongs to the request's trace.
//
// Its go.mod holds the older gRPC, x/net and protobuf of a service that
// has not upgraded them: built with otelgo, the binary must keep them.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	gs := grpc.NewServer()
	hs := health.NewServer()
	hs.SetServingStatus("shop", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(gs, hs)
	go gs.Serve(lis)
	defer gs.Stop()

	conn, err := grpc.Dial(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	addr := os.Getenv("ADDR")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "pong") })
	mux.HandleFunc("GET /check/{service}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := client.Check(r.Context(), &healthpb.HealthCheckRequest{Service: r.PathValue("service")})
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		pong, err := http.Get("http://" + addr + "/ping")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		io.Copy(io.Discard, pong.Body)
		pong.Body.Close()
		fmt.Fprintln(w, resp.Status)
	})
	srv := &http.Server{Addr: addr, Handler: mux}
	go srv.ListenAndServe()
	<-ctx.Done()
	srv.Shutdown(context.Background())
}
