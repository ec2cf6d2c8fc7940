package kitex

// kitex v0.11.0, the lowest these hooks support and so the one go.mod
// requires, requires bytedance/sonic v1.12.2 and golang/protobuf v1.5.2,
// which do not build with Go 1.26 and newer protobuf releases. These
// imports keep sonic v1.15.0 and golang/protobuf v1.5.4 (what kitex
// v0.16.0 requires) direct requirements of the module, which builds of the
// hooks alone (go test, the oldest OpenTelemetry release set) keep; an
// otelgo build of a program takes the program's versions instead (every
// kitex program has both modules in its build list).
import (
	_ "github.com/bytedance/sonic"
	_ "github.com/golang/protobuf/proto"
)
