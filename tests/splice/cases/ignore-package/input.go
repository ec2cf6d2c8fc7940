// ignore-package: //otel:ignore in the package's doc comment leaves out
// every function of the package, in all of its files (input2.go too), and
// every rule on it.
//
//otel:ignore
package svc

// Lookup is left out.
func Lookup(key string) (string, bool) { return key, key != "" }
