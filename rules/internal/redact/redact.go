// Package redact keeps credentials out of the URLs that HTTP spans record
// (url.full, url.query), for every HTTP instrumentation of otelgo
// (net/http, fasthttp, hertz, and those to come).
//
//   - user:password@ becomes REDACTED:REDACTED@, as the semantic
//     conventions ask for url.full (https://opentelemetry.io/docs/specs/semconv/registry/attributes/url/);
//   - the values of sensitive query parameters become REDACTED: the
//     conventions' list (AWSAccessKeyId, Signature, sig, X-Goog-Signature)
//     and, beyond it, what carries a credential or a signature in the
//     presigned URLs of the cloud object stores (AWS SigV4's
//     X-Amz-Signature, X-Amz-Credential and X-Amz-Security-Token, Google's
//     X-Goog-Credential) and OAuth 2.0 bearer tokens sent in the query
//     (access_token, RFC 6750 section 2.3). Names are matched without regard
//     to case, after query unescaping.
//
// Everything else is kept byte for byte.
package redact

import (
	"net/url"
	"strings"
)

// Redacted replaces a credential.
const Redacted = "REDACTED"

// SensitiveQueryKeys are the query parameters whose values are replaced.
var SensitiveQueryKeys = []string{
	// The semantic conventions' list.
	"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature",
	// Presigned URLs of cloud object stores, and bearer tokens.
	"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "X-Goog-Credential", "access_token",
}

// Query replaces the values of sensitive query parameters in a raw query
// string by REDACTED.
func Query(raw string) string {
	if raw == "" || !mayHold(raw) {
		return raw
	}
	parts := strings.Split(raw, "&")
	changed := false
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if sensitive(k) {
			parts[i] = p[:strings.IndexByte(p, '=')+1] + Redacted
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return strings.Join(parts, "&")
}

// mayHold is the quick test: a sensitive name, in any case and unescaped
// or not, leaves its last letters in the raw query.
func mayHold(raw string) bool {
	lower := strings.ToLower(raw)
	for _, k := range SensitiveQueryKeys {
		if strings.Contains(lower, strings.ToLower(k[len(k)-3:])) {
			return true
		}
	}
	return false
}

func sensitive(key string) bool {
	for _, s := range SensitiveQueryKeys {
		if strings.EqualFold(key, s) {
			return true
		}
	}
	return false
}

// URL renders u for url.full: credentials become REDACTED:REDACTED and
// sensitive query values REDACTED; u itself is not modified.
func URL(u *url.URL) string {
	q := Query(u.RawQuery)
	if u.User == nil && q == u.RawQuery {
		return u.String()
	}
	c := *u
	if c.User != nil {
		c.User = url.UserPassword(Redacted, Redacted)
	}
	c.RawQuery = q
	return c.String()
}

// FullURL renders url.full from a request URI's parts (for clients that
// hold no *url.URL): credentials, when the URI has any, become
// REDACTED:REDACTED, sensitive query values REDACTED.
func FullURL(scheme, host, path, query string, credentials bool) string {
	if scheme == "" {
		scheme = "http"
	}
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	if credentials {
		b.WriteString(Redacted + ":" + Redacted + "@")
	}
	b.WriteString(host)
	b.WriteString(path)
	if query != "" {
		b.WriteByte('?')
		b.WriteString(Query(query))
	}
	return b.String()
}
