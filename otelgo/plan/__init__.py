"""Planning a build: list its packages, match the rules, check the hooks,
choose the modules, and write the build dir the go command and the shim
read (go.mod copy or go.work, overlay, plan file, index)."""
