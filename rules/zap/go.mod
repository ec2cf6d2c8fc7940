module otelgo.dev/rules/zap

go 1.24.0

require (
	go.uber.org/zap v1.21.0
	otelgo.dev/rules v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.opentelemetry.io/otel v1.41.0 // indirect
	go.opentelemetry.io/otel/trace v1.41.0 // indirect
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
)

// For development (go test here); a build's own modfile replaces it too.
replace otelgo.dev/rules => ../
