module example.com/stockcheck

go 1.24
