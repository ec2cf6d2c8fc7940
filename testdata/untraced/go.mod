module example.com/untraced

go 1.25.0

require (
	github.com/PuerkitoBio/goquery v1.13.0
	github.com/jlaffaye/ftp v0.2.0
	github.com/spf13/pflag v1.0.10
)

require (
	github.com/andybalholm/cascadia v1.3.4 // indirect
	github.com/hashicorp/errwrap v1.0.0 // indirect
	github.com/hashicorp/go-multierror v1.1.1 // indirect
	golang.org/x/net v0.58.0 // indirect
)
