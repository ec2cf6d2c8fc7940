module otelgo.dev/rules/echo/echov3

go 1.24.0

require (
	github.com/labstack/echo v3.3.0+incompatible
	otelgo.dev/rules v0.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/labstack/gommon v0.2.8 // indirect
	github.com/mattn/go-colorable v0.0.9 // indirect
	github.com/mattn/go-isatty v0.0.4 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	github.com/valyala/fasttemplate v0.0.0-20170224212429-dcecefd839c4 // indirect
	go.opentelemetry.io/otel v1.41.0 // indirect
	go.opentelemetry.io/otel/trace v1.41.0 // indirect
	golang.org/x/crypto v0.0.0-20190130090550-b01c7a725664 // indirect
	golang.org/x/sys v0.41.0 // indirect
)

replace otelgo.dev/rules => ../../
