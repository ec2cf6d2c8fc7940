module example.com/otelgotool

go 1.24
