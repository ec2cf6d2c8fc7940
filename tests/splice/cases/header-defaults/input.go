// header-defaults: a rule file in the header form. Its Path is the hook
// package of every rule that names none (kv-get); a rule's own Path wins
// (kv-set). Version concerns matching, not the splice.

package kvstore

// Store is an in-memory key-value store.
type Store struct{ m map[string][]byte }

// Get returns the value of key.
func (s *Store) Get(key string) ([]byte, bool) {
	v, ok := s.m[key]
	return v, ok
}

// Set sets the value of key.
func (s *Store) Set(key string, value []byte) error {
	s.m[key] = value
	return nil
}
