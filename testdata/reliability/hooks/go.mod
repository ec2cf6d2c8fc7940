module example.com/reliability/hooks

go 1.24.0

require otelgo.dev/rules v0.0.0

// For go mod tidy and go vet: otelgo replaces otelgo.dev/rules with its own
// copy in every build.
replace otelgo.dev/rules => ../../../rules
