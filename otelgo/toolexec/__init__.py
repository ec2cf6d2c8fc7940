"""The -toolexec side of a build: the shim the go command runs for every
tool action (shim), the protocol it shares with planning (protocol), and
the instrumented compile of a matched package (slowpath, compile,
refusals)."""
