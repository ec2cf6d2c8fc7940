// Command app answers GET /check/{service} with the status a gRPC health
// server reports for the service: the server is its own, on loopback, and
// it is asked through grpc.Dial, which every gRPC release has. Each answer
// also pings the program itself over HTTP with http.Get, which takes no
// context: its span still belongs to the request's trace. GET /services
// lists the server's services over the server reflection service, a
// bidirectional stream (v1alpha: in every gRPC release).
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
	"google.golang.org/grpc/reflection"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1alpha"
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
	reflection.Register(gs)
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
	mux.HandleFunc("GET /services", func(w http.ResponseWriter, r *http.Request) {
		names, err := listServices(r.Context(), reflectionpb.NewServerReflectionClient(conn))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, name := range names {
			fmt.Fprintln(w, name)
		}
	})
	srv := &http.Server{Addr: addr, Handler: mux}
	go srv.ListenAndServe()
	<-ctx.Done()
	srv.Shutdown(context.Background())
}

// listServices asks once on a reflection stream and reads it to its end.
func listServices(ctx context.Context, client reflectionpb.ServerReflectionClient) ([]string, error) {
	stream, err := client.ServerReflectionInfo(ctx)
	if err != nil {
		return nil, err
	}
	req := &reflectionpb.ServerReflectionRequest{
		MessageRequest: &reflectionpb.ServerReflectionRequest_ListServices{ListServices: "*"},
	}
	if err := stream.Send(req); err != nil {
		return nil, err
	}
	if err := stream.CloseSend(); err != nil {
		return nil, err
	}
	var names []string
	for {
		resp, err := stream.Recv()
		if err == io.EOF {
			return names, nil
		}
		if err != nil {
			return nil, err
		}
		for _, s := range resp.GetListServicesResponse().GetService() {
			names = append(names, s.GetName())
		}
	}
}
