module example.com/logapp

go 1.24.0

require (
	github.com/sirupsen/logrus v1.8.1
	go.uber.org/zap v1.21.0
)

require (
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/net v0.50.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
	golang.org/x/text v0.34.0 // indirect
)
