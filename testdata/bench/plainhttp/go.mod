module example.com/plainhttp

go 1.24.0
