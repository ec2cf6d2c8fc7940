package mongoconv

import "testing"

func TestQueryText(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"find": "items", "filter": {"name": "s3cret", "n": {"$gt": {"$numberInt": "5"}}}, "lsid": {"id": {"$binary": {"base64": "AA==", "subType": "04"}}}, "$db": "shop"}`,
			`{"find":"items","filter":{"name":"?","n":{"$gt":"?"}}}`},
		{`{"insert": "items", "ordered": true, "documents": [{"_id": {"$oid": "65"}, "name": "a"}, {"name": "b", "tags": ["x", "y"]}]}`,
			`{"insert":"items","ordered":"?","documents":[{"_id":"?","name":"?"},{"name":"?","tags":["?","?"]}]}`},
		{`{"ping": {"$numberInt": "1"}, "$db": "admin"}`, `{"ping":"?"}`},
		{`{"getMore": {"$numberLong": "42"}, "collection": "items"}`, `{"getMore":"?","collection":"?"}`},
		{`not json`, ``},
	}
	for _, tt := range tests {
		if got := QueryText(tt.in); got != tt.want {
			t.Errorf("QueryText(%s)\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestParseConnectionID(t *testing.T) {
	if h, p := ParseConnectionID("127.0.0.1:27017[-3]"); h != "127.0.0.1" || p != 27017 {
		t.Errorf("got %s %d", h, p)
	}
	if h, p := ParseConnectionID("[::1]:27018"); h != "::1" || p != 27018 {
		t.Errorf("got %s %d", h, p)
	}
}

func TestParseFailure(t *testing.T) {
	if got := ParseFailure("(NamespaceNotFound) ns not found"); got != "NamespaceNotFound" {
		t.Errorf("got %q", got)
	}
	if got := ParseFailure("connection closed"); got != "" {
		t.Errorf("got %q", got)
	}
}
