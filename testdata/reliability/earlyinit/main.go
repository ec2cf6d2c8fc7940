// Command earlyinit imports a package that logs and makes an HTTP call
// while it is initialised, before otelgo's hook packages are.
package main

import (
	"context"
	"log"

	"go.opentelemetry.io/otel"

	"example.com/earlyinit/early"
)

func main() {
	ctx, span := otel.Tracer("earlyinit").Start(context.Background(), "main")
	early.Logger.Info("main zap")
	log.Println("main log")
	_ = ctx
	span.End()
}
