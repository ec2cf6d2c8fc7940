module otelgo.dev/rules/logrus

go 1.24.0

require (
	github.com/sirupsen/logrus v1.8.1
	otelgo.dev/rules v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	go.opentelemetry.io/otel v1.41.0 // indirect
	go.opentelemetry.io/otel/trace v1.41.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
)

// For development (go test here); a build's own modfile replaces it too.
replace otelgo.dev/rules => ../
