module example.com/annotated

go 1.24
