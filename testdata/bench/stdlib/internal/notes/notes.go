// Package notes keeps notes in memory, safe for concurrent use.
package notes

import (
	"slices"
	"sort"
	"sync"
	"time"
)

// Note is one note.
type Note struct {
	ID      int       `json:"id"`
	Text    string    `json:"text"`
	Tags    []string  `json:"tags"`
	Created time.Time `json:"created"`
}

// Store holds notes by id.
type Store struct {
	mu   sync.RWMutex
	next int
	byID map[int]Note
}

// NewStore makes an empty store.
func NewStore() *Store { return &Store{next: 1, byID: map[int]Note{}} }

// Add stores a new note and returns it.
func (s *Store) Add(text string, tags []string) Note {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := Note{ID: s.next, Text: text, Tags: slices.Clone(tags), Created: time.Now().UTC()}
	s.byID[n.ID] = n
	s.next++
	return n
}

// Get returns the note with the given id.
func (s *Store) Get(id int) (Note, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, ok := s.byID[id]
	return n, ok
}

// List returns the notes with tag (all if tag is ""), by id.
func (s *Store) List(tag string) []Note {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []Note{}
	for _, n := range s.byID {
		if tag == "" || slices.Contains(n.Tags, tag) {
			out = append(out, n)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
