// Package shop is what the front and back programs share: the messages of
// the Books service (plain structs sent as JSON: no generated code) and the
// codec that lets connect send them.
package shop

import "encoding/json"

// The procedures of the Books service.
const (
	GetProcedure  = "/shop.v1.Books/Get"
	ListProcedure = "/shop.v1.Books/List"
)

type BookRequest struct {
	ID string `json:"id"`
}

type Book struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// JSONCodec is connect's "json" codec for plain Go values.
type JSONCodec struct{}

func (JSONCodec) Name() string                    { return "json" }
func (JSONCodec) Marshal(v any) ([]byte, error)   { return json.Marshal(v) }
func (JSONCodec) Unmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
