// Package early makes its gRPC client and server in package variables, as
// many programs do. Its import path sorts before otelgo's hook packages, so
// the go command initialises it first: the NewClient and NewServer hooks
// run before their own package is initialised.
package early

import (
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// Conn is the client of the server at $ADDR.
var Conn, _ = grpc.NewClient(os.Getenv("ADDR"), grpc.WithTransportCredentials(insecure.NewCredentials()))

// Server is served by main.
var Server = grpc.NewServer()
