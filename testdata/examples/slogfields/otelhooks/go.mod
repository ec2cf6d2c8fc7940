module example.com/stockcheck/otelhooks

go 1.24.0

require otelgo.dev/rules v0.0.0

// For go mod tidy, go vet and editors: otelgo replaces otelgo.dev/rules with
// its own copy in every build. Point this at your otelgo's rules directory.
replace otelgo.dev/rules => ../../../../rules
