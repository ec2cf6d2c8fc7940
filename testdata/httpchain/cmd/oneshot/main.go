// Command oneshot makes one HTTP GET to $TARGET_URL, prints the status, and
// then, depending on its argument:
//
//	(none)  returns from main
//	exit    calls os.Exit(3)
//	wait    blocks until the process is killed
//
// The tests use the three endings to check that spans are flushed in each.
package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

func main() {
	resp, err := http.Get(os.Getenv("TARGET_URL"))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Println("status", resp.StatusCode)

	mode := ""
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	switch mode {
	case "":
	case "exit":
		os.Exit(3)
	case "wait":
		// Sleep rather than select{}: with no other goroutine left the
		// runtime would abort with "all goroutines are asleep".
		for {
			time.Sleep(time.Hour)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
}
