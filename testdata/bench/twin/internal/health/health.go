// Package health runs the standard gRPC health service on loopback and
// asks it, as a stand-in for a gRPC backend the service depends on.
package health

import (
	"context"
	"net"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// Service is the name the server reports SERVING for.
const Service = "bench.Items"

// Server is a gRPC server with the health service.
type Server struct {
	srv *grpc.Server
	lis net.Listener
}

// Start listens on addr ("127.0.0.1:0" for any port) and serves.
func Start(addr string) (*Server, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := grpc.NewServer(grpc.StatsHandler(otelgrpc.NewServerHandler()))
	hs := health.NewServer()
	hs.SetServingStatus(Service, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, hs)
	go srv.Serve(lis) //nolint:errcheck // ends with Stop
	return &Server{srv: srv, lis: lis}, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Stop stops the server.
func (s *Server) Stop() { s.srv.GracefulStop() }

// Client asks a health server.
type Client struct {
	conn *grpc.ClientConn
	hc   healthpb.HealthClient
}

// Dial makes a client of the server at addr.
func Dial(addr string) (*Client, error) {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithStatsHandler(otelgrpc.NewClientHandler()))
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, hc: healthpb.NewHealthClient(conn)}, nil
}

// Check returns the status of service ("" for the server as a whole).
func (c *Client) Check(ctx context.Context, service string) (string, error) {
	resp, err := c.hc.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return "", err
	}
	return resp.GetStatus().String(), nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }
