from otelgo.cli import main

main()
