module otelgo.dev/rules/chi

go 1.24.0

require (
	github.com/go-chi/chi/v5 v5.0.0
	otelgo.dev/rules v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.opentelemetry.io/otel v1.41.0 // indirect
	go.opentelemetry.io/otel/trace v1.41.0 // indirect
)

replace otelgo.dev/rules => ../
