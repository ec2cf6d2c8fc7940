module example.com/fastweb

go 1.26.0

require (
	connectrpc.com/connect v1.11.0
	github.com/valyala/fasthttp v1.40.0
)

require (
	github.com/andybalholm/brotli v1.0.4 // indirect
	github.com/klauspost/compress v1.15.0 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
	google.golang.org/protobuf v1.31.0 // indirect
)
