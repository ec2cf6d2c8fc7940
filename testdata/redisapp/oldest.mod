// The program of go.mod built against the lowest versions of go-redis and
// redigo that the rules in rules/goredis and rules/redigo claim:
//   otel go build -modfile=oldest.mod

module example.com/redisapp

go 1.24

require (
	github.com/gomodule/redigo v1.8.8
	github.com/redis/go-redis/v9 v9.0.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dgryski/go-rendezvous v0.0.0-20200823014737-9f7001d12a5f // indirect
)
