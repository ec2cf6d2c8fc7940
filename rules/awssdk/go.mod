module otelgo.dev/rules/awssdk

go 1.24.0

require (
	github.com/aws/aws-sdk-go-v2 v1.24.1
	github.com/aws/smithy-go v1.19.0
	go.opentelemetry.io/otel v1.41.0
	go.opentelemetry.io/otel/trace v1.41.0
	otelgo.dev/rules v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-logr/logr v1.4.3 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel/metric v1.41.0 // indirect
)

// For development (go test here); a build's own modfile replaces it too.
replace otelgo.dev/rules => ../
