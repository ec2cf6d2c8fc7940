// Command untraced uses a library that talks to the network and that no
// otelgo rule covers (an FTP client), next to net/http, which is traced, and
// an HTML parser whose own requests would go through net/http, and a flag
// package that imports net for its IP flags only.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jlaffaye/ftp"
	"github.com/spf13/pflag"
)

func main() {
	pflag.Parse()
	if addr := os.Getenv("FTP_ADDR"); addr != "" {
		if c, err := ftp.Dial(addr, ftp.DialWithTimeout(time.Second)); err == nil {
			_ = c.Quit()
		}
	}
	resp, err := http.Get(os.Getenv("URL"))
	if err == nil {
		if doc, err := goquery.NewDocumentFromReader(resp.Body); err == nil {
			fmt.Println(doc.Find("title").Text())
		}
		resp.Body.Close()
	}
	fmt.Println("done")
}
