module example.com/benchstdlib

go 1.25.0
