// raw-rule: a raw rule's statements are spliced in on the line of the body's
// opening brace, newlines made semicolons. They may use only what the file
// imports, and the names the splice gives unnamed results.

package db

import (
	"errors"
	"log"
	"time"
)

// Timeout bounds every query.
var Timeout = 5 * time.Second

var errEmpty = errors.New("db: empty query")

// Query has unnamed results.
func Query(q string) (int, error) {
	if q == "" {
		log.Print("db: empty query")
		return 0, errEmpty
	}
	return len(q), nil
}
