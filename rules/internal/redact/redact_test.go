package redact

import (
	"net/url"
	"testing"
)

func TestQuery(t *testing.T) {
	cases := map[string]string{
		"":                                       "",
		"q=1&page=2":                             "q=1&page=2",
		"sig=abc&q=1":                            "sig=REDACTED&q=1",
		"Signature=x&AWSAccessKeyId=y":           "Signature=REDACTED&AWSAccessKeyId=REDACTED",
		"X-Goog-Signature=s&X-Goog-Credential=c": "X-Goog-Signature=REDACTED&X-Goog-Credential=REDACTED",
		"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261206%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261206T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=deadbeef&X-Amz-Security-Token=tok": "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=20261206T000000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=REDACTED&X-Amz-Security-Token=REDACTED",
		"x-amz-signature=lower":   "x-amz-signature=REDACTED",
		"X%2DAmz%2DSignature=esc": "X%2DAmz%2DSignature=REDACTED",
		"access_token=t&keep=1":   "access_token=REDACTED&keep=1",
		"design=1&signature2=x":   "design=1&signature2=x", // names, not substrings
		"sig":                     "sig",                   // no value to hide
	}
	for in, want := range cases {
		if got := Query(in); got != want {
			t.Errorf("Query(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestURL(t *testing.T) {
	u, _ := url.Parse("https://alice:hunter2@example.com/b/o?X-Amz-Signature=abc&x=1#frag")
	if got, want := URL(u), "https://REDACTED:REDACTED@example.com/b/o?X-Amz-Signature=REDACTED&x=1#frag"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if u.User.Username() != "alice" || u.RawQuery != "X-Amz-Signature=abc&x=1" {
		t.Errorf("the URL itself changed: %v", u)
	}
	u, _ = url.Parse("http://token@example.com/")
	if got := URL(u); got != "http://REDACTED:REDACTED@example.com/" {
		t.Errorf("user only: %q", got)
	}
	u, _ = url.Parse("http://example.com/p?q=1")
	if got := URL(u); got != "http://example.com/p?q=1" {
		t.Errorf("nothing to hide: %q", got)
	}
}

func TestFullURL(t *testing.T) {
	if got := FullURL("", "h:8080", "/p", "sig=x", true); got != "http://REDACTED:REDACTED@h:8080/p?sig=REDACTED" {
		t.Errorf("FullURL = %q", got)
	}
}
