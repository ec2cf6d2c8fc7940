// Command frontend serves GET /check/{service} on $ADDR: it asks the gRPC
// health service at $GRPC_ADDR about the service, with the request's
// context, and answers 200 with the serving status, or 404 or 502 with the
// gRPC status code; and GET /services, the services the gRPC server lists
// over a server reflection stream (bidirectional). GRPC_DIAL=dial makes
// the client with the older grpc.Dial instead of grpc.NewClient.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	reflectionpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
)

func main() {
	creds := grpc.WithTransportCredentials(insecure.NewCredentials())
	var conn *grpc.ClientConn
	var err error
	if os.Getenv("GRPC_DIAL") == "dial" {
		conn, err = grpc.Dial(os.Getenv("GRPC_ADDR"), creds)
	} else {
		conn, err = grpc.NewClient(os.Getenv("GRPC_ADDR"), creds)
	}
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /check/{service}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := client.Check(r.Context(), &healthpb.HealthCheckRequest{Service: r.PathValue("service")})
		switch {
		case status.Code(err) == codes.NotFound:
			http.Error(w, "NOT_FOUND", http.StatusNotFound)
		case err != nil:
			http.Error(w, status.Code(err).String(), http.StatusBadGateway)
		default:
			fmt.Fprintln(w, resp.GetStatus())
		}
	})
	mux.HandleFunc("GET /services", func(w http.ResponseWriter, r *http.Request) {
		names, err := listServices(r.Context(), reflectionpb.NewServerReflectionClient(conn))
		if err != nil {
			http.Error(w, status.Code(err).String(), http.StatusBadGateway)
			return
		}
		for _, name := range names {
			fmt.Fprintln(w, name)
		}
	})
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
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
