//go:build unix

// The shim's fast path without an interpreter: the go command starts the
// -toolexec program for every tool action, hundreds of times in a cold build
// and four times (the tools' -V=full) in a rebuild that changes nothing, and
// a Python start costs 10-13 ms where this costs 1. It does what shim.py's
// fast path does, and reads what otelgo/toolexec/protocol.py describes: a
// compile of a package no rule matched, and every other tool action, is the
// real tool run in its place; a -V=full answer kept in otelgo's cache is
// printed with the instrumentation token. A compile of a matched package
// takes its arguments from the otel process (toolexec/service.py) where it
// listens. Everything else (a matched package without that answer, a
// response file, the cover tool, an answer not kept yet) is handed to
// shim.py, which decides again. toolexec/nativeshim.py builds it, with
// paths.go naming the interpreter and shim.py.
package main

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
)

const (
	planEnv     = "OTELGO_PLAN"
	progressEnv = "OTELGO_PROGRESS"
	spliceEnv   = "OTELGO_SPLICER"
	indexName   = "packages.txt"
	marker      = "-otelgo.rules="
	toolIDDir   = "toolids"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "otelgo shim: run by `go build -toolexec`, not by hand")
		os.Exit(2)
	}
	tool, args := os.Args[1], os.Args[2:]
	if contains(args, "-V=full") {
		if line, ok := version(tool, args); ok {
			os.Stdout.WriteString(line)
			return
		}
		python()
	}
	base := filepath.Base(tool)
	if base == "cover" || base == "cover.exe" {
		python()
	}
	pkg, sure := compiledPackage(base, args)
	if !sure {
		python()
	}
	if pkg != "" {
		index, err := readIndex()
		if err != nil {
			python()
		}
		args = withoutMarkers(args)
		if strings.Contains(index, "\n"+pkg+"\n") {
			if spliced, ok := splice(pkg, args); ok {
				progress("i", pkg)
				execTool(tool, spliced)
			}
			python()
		}
		progress("c", pkg)
	}
	execTool(tool, args)
}

// splice asks the otel process (toolexec/service.py) for the arguments of
// the instrumented compile; not ok when it is not there or does not answer
// with them, and shim.py is to do it.
func splice(pkg string, args []string) ([]string, bool) {
	path := os.Getenv(spliceEnv)
	if path == "" {
		return nil, false
	}
	dir, err := os.Getwd()
	if err != nil {
		return nil, false
	}
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, false
	}
	defer syscall.Close(fd)
	if err := connect(fd, path); err != nil {
		return nil, false
	}
	var request bytes.Buffer
	for _, field := range append([]string{pkg, dir}, args...) {
		request.WriteString(field)
		request.WriteByte(0)
	}
	if !writeAll(fd, request.Bytes()) || syscall.Shutdown(fd, syscall.SHUT_WR) != nil {
		return nil, false
	}
	reply, ok := readAll(fd)
	fields := bytes.Split(reply, []byte{0})
	if !ok || len(fields) < 3 || string(fields[0]) != "ok" || len(fields[len(fields)-1]) != 0 {
		return nil, false
	}
	os.Stderr.Write(fields[1])
	spliced := make([]string, 0, len(fields)-3)
	for _, f := range fields[2 : len(fields)-1] {
		spliced = append(spliced, string(f))
	}
	return spliced, true
}

// The Go runtime's signals interrupt raw system calls: each is tried again.

func connect(fd int, path string) error {
	for {
		err := syscall.Connect(fd, &syscall.SockaddrUnix{Name: path})
		if err != syscall.EINTR {
			return err
		}
	}
}

func writeAll(fd int, data []byte) bool {
	for len(data) > 0 {
		n, err := syscall.Write(fd, data)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return false
		}
		data = data[n:]
	}
	return true
}

func readAll(fd int) ([]byte, bool) {
	var out []byte
	buf := make([]byte, 64*1024)
	for {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, false
		}
		if n == 0 {
			return out, true
		}
		out = append(out, buf[:n]...)
	}
}

// python hands the action to shim.py, which decides again.
func python() {
	argv := append([]string{pythonPath, "-I", "-S", shimPath}, os.Args[1:]...)
	err := syscall.Exec(pythonPath, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "otelgo shim: cannot run %s: %v\n", pythonPath, err)
	os.Exit(2)
}

func execTool(tool string, args []string) {
	path := tool
	if !strings.Contains(tool, "/") {
		// The go command names the C compiler alone ("gcc -###"): PATH, as a shell would.
		found, err := exec.LookPath(tool)
		if err != nil {
			fmt.Fprintf(os.Stderr, "otelgo shim: %v\n", err)
			os.Exit(2)
		}
		path = found
	}
	err := syscall.Exec(path, append([]string{tool}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "otelgo shim: cannot run %s: %v\n", tool, err)
	os.Exit(2)
}

func contains(args []string, s string) bool {
	for _, a := range args {
		if a == s {
			return true
		}
	}
	return false
}

// compiledPackage is the -p of a compile, "" for other tools; not sure when
// the arguments are in a response file.
func compiledPackage(base string, args []string) (pkg string, sure bool) {
	if base != "compile" && base != "compile.exe" {
		return "", true
	}
	for i, a := range args {
		switch {
		case a == "-p" && i+1 < len(args):
			return args[i+1], true
		case strings.HasPrefix(a, "-p="):
			return a[3:], true
		case strings.HasPrefix(a, "@"):
			return "", false
		}
	}
	return "", true
}

func withoutMarkers(args []string) []string {
	out := args[:0:0]
	for _, a := range args {
		if !strings.HasPrefix(a, marker) {
			out = append(out, a)
		}
	}
	return out
}

func readIndex() (string, error) {
	plan := os.Getenv(planEnv)
	if plan == "" {
		return "", os.ErrNotExist
	}
	data, err := os.ReadFile(filepath.Join(filepath.Dir(plan), indexName))
	return string(data), err
}

// progress adds a line for the progress display: mark "c" for a compile as
// it is, "i" for an instrumented one.
func progress(mark, pkg string) {
	path := os.Getenv(progressEnv)
	if path == "" {
		return
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	f.WriteString(mark + " " + pkg + "\n")
	f.Close()
}

// version is the tool's -V=full line kept in otelgo's cache, with the
// instrumentation token, as slowpath._version writes it.
func version(tool string, args []string) (string, bool) {
	index, err := readIndex()
	if err != nil {
		return "", false
	}
	token, _, _ := strings.Cut(index, "\n")
	answer, ok := cachedAnswer(tool, args)
	if !ok {
		return "", false
	}
	line := strings.TrimRight(string(answer), "\n")
	token = "otelgo-" + token
	if fields := strings.Fields(line); len(fields) > 0 && strings.HasPrefix(fields[len(fields)-1], "buildID=") {
		fields[len(fields)-1] += "-" + token
		line = strings.Join(fields, " ")
	} else {
		line += " " + token
	}
	return line + "\n", true
}

// cachedAnswer reads protocol.toolid_cache's file for the key
// protocol.toolid_key makes; any difference is a miss, which shim.py fills.
func cachedAnswer(tool string, args []string) ([]byte, bool) {
	var st syscall.Stat_t
	if err := syscall.Stat(tool, &st); err != nil {
		return nil, false
	}
	abs, err := filepath.Abs(tool)
	if err != nil {
		return nil, false
	}
	binary := fmt.Sprintf("%d:%d:%d:%d:%d", uint64(st.Dev), uint64(st.Ino), st.Size,
		st.Mtim.Sec*1e9+st.Mtim.Nsec, st.Ctim.Sec*1e9+st.Ctim.Nsec)
	var settings []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GO") {
			settings = append(settings, kv)
		}
	}
	sort.Strings(settings)
	parts := append(append([]string{abs, binary}, args...), "")
	key := []byte(strings.Join(append(parts, settings...), "\x00"))

	// otelgo's cache: resources.cache_dir's rule.
	dir := os.Getenv("OTELGO_CACHE")
	if dir == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if !filepath.IsAbs(base) {
			base = filepath.Join(os.Getenv("HOME"), ".cache")
		}
		dir = filepath.Join(base, "otelgo")
	}
	if !filepath.IsAbs(dir) {
		return nil, false
	}
	name := fmt.Sprintf("%s-%08x-%d", filepath.Base(abs), crc32.ChecksumIEEE(key), len(key))
	data, err := os.ReadFile(filepath.Join(dir, toolIDDir, name))
	if err != nil {
		return nil, false
	}
	head, rest, found := bytes.Cut(data, []byte("\n"))
	n, err := strconv.Atoi(string(head))
	if !found || err != nil || n != len(key) || len(rest) <= n || !bytes.Equal(rest[:n], key) {
		return nil, false
	}
	return rest[n:], true
}
