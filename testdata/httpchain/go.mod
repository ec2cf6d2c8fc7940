module example.com/httpchain

go 1.24
