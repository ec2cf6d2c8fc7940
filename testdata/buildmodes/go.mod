module example.com/buildmodes

go 1.24
