// struct-field: struct rules add fields at the end of a struct, on the line
// of its closing brace, in the order of the rules; no field's offset changes.

package trace

// Request spans several lines.
type Request struct {
	URL    string
	Header map[string]string
}

// token is declared on one line: the new field follows a semicolon.
type token struct{ id int }

// marker has no fields.
type marker struct{}
