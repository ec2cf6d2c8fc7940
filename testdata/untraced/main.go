// Command untraced uses a library that talks to the network and that no
// otelgo rule covers (an FTP client), next to net/http, which is traced.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/jlaffaye/ftp"
)

func main() {
	if addr := os.Getenv("FTP_ADDR"); addr != "" {
		if c, err := ftp.Dial(addr, ftp.DialWithTimeout(time.Second)); err == nil {
			_ = c.Quit()
		}
	}
	resp, err := http.Get(os.Getenv("URL"))
	if err == nil {
		resp.Body.Close()
	}
	fmt.Println("done")
}
