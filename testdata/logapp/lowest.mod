module example.com/logapp

go 1.24.0

require (
	github.com/go-logr/logr v1.4.3
	github.com/go-logr/stdr v1.2.2
	github.com/go-logr/zapr v1.2.3
	github.com/golang/glog v1.2.5
	github.com/rs/zerolog v1.26.0
	github.com/sirupsen/logrus v1.8.1
	go.uber.org/zap v1.21.0
	k8s.io/klog/v2 v2.90.1
)

require (
	go.uber.org/atomic v1.7.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/net v0.50.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
	golang.org/x/text v0.34.0 // indirect
)
