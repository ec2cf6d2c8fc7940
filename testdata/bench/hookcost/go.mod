module example.com/hookcost

go 1.24.0
