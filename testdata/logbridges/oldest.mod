module example.com/logbridges

go 1.26.0

require (
	github.com/go-logr/logr v1.4.3
	github.com/sirupsen/logrus v1.9.4
	go.opentelemetry.io/contrib/bridges/otellogrus v0.6.0
	go.opentelemetry.io/contrib/bridges/otelslog v0.6.0
	go.opentelemetry.io/contrib/bridges/otelzap v0.6.0
	go.uber.org/zap v1.27.1
)

require (
	github.com/go-logr/stdr v1.2.2 // indirect
	go.opentelemetry.io/otel v1.31.0 // indirect
	go.opentelemetry.io/otel/log v0.7.0 // indirect
	go.opentelemetry.io/otel/metric v1.31.0 // indirect
	go.opentelemetry.io/otel/trace v1.31.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/sys v0.26.0 // indirect
)
