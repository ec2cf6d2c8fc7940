module otelgo.dev/rules/goredis/goredisv8

go 1.24.0

require (
	github.com/go-redis/redis/v8 v8.11.0
	go.opentelemetry.io/otel/trace v1.41.0
	otelgo.dev/rules v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel v1.41.0 // indirect
	go.opentelemetry.io/otel/metric v1.41.0 // indirect
)

// For development (go test here); a build's own modfile replaces it too.
replace otelgo.dev/rules => ../../
