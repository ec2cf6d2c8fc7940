// Command newotellogs requires OpenTelemetry v1.46.0, newer than otelgo's
// hooks do, and logs through logrus inside a span of its own. The contrib
// logrus bridge made for v1.46.0 is one the module proxy here does not list;
// an older one does not compile against the otel/log of such a build. It
// sets up no SDK: built with otelgo, the bootstrap does.
package main

import (
	"context"
	"os"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel"
)

func main() {
	logger := logrus.New()
	logger.SetOutput(os.Stdout)
	logger.SetFormatter(&logrus.JSONFormatter{})
	ctx, span := otel.Tracer("example.com/reliability/newotellogs").Start(context.Background(), "work")
	logger.WithContext(ctx).WithField("step", 1).Info("inside the span")
	span.End()
}
