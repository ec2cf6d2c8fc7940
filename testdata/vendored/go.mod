module example.com/vendored

go 1.22

require (
	example.com/greeting v0.0.0
	github.com/gorilla/mux v1.8.1
)

replace example.com/greeting => ./greeting
