module otelgo.dev/rules/mux

go 1.24.0

require (
	github.com/gorilla/mux v1.6.2
	otelgo.dev/rules v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/gorilla/context v1.1.2 // indirect
	go.opentelemetry.io/otel v1.41.0 // indirect
	go.opentelemetry.io/otel/trace v1.41.0 // indirect
)

replace otelgo.dev/rules => ../
