// Command frontend serves GET /check/{service} on $ADDR: it asks the gRPC
// health service at $GRPC_ADDR about the service, with the request's
// context, and answers 200 with the serving status, or 404 or 502 with the
// gRPC status code. GRPC_DIAL=dial makes the client with the older
// grpc.Dial instead of grpc.NewClient.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
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
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}
