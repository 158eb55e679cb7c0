package spill

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// Texts read back as they were put, from a file no directory lists; a text
// too long for a Span is refused, and a Mark is never a text's Span.
func TestSpill(t *testing.T) {
	dir := t.TempDir()
	s := New(dir, "test texts")
	defer s.Close()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("%s holds %v", dir, entries)
	}
	texts := [][]byte{[]byte("one"), {}, bytes.Repeat([]byte("x"), 100<<10), []byte("last")}
	spans := make([]Span, len(texts))
	for i, text := range texts {
		var ok bool
		if spans[i], ok = s.Put(text); !ok {
			t.Fatalf("Put(%d bytes) refused", len(text))
		}
		if spans[i] == Mark(0) || spans[i] == Mark(1) {
			t.Errorf("Put gave a Mark: %x", spans[i])
		}
	}
	for i := len(texts) - 1; i >= 0; i-- {
		if got := s.Get(spans[i]); !bytes.Equal(got, texts[i]) || got == nil {
			t.Errorf("Get(text %d) = %.20q, want %.20q", i, got, texts[i])
		}
	}
	if _, ok := s.Put(make([]byte, MaxLen+1)); ok {
		t.Error("Put took a text longer than MaxLen")
	}
	if Mark(0).Len() <= MaxLen || Mark(1).Len() <= MaxLen || Mark(0) == Mark(1) {
		t.Errorf("Marks %x and %x", Mark(0), Mark(1))
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := s.Get(spans[0]); got != nil {
		t.Errorf("Get after Close: %q", got)
	}
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "test texts in a temporary file") {
		t.Errorf("Err after Close: %v", err)
	}
}

// A directory that cannot hold the file fails it, and Err names both.
func TestSpillCannotBeMade(t *testing.T) {
	s := New("/nonexistent/halocfg-test", "test texts")
	defer s.Close()
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "holding test texts in a temporary file") || !strings.Contains(err.Error(), "/nonexistent/halocfg-test") {
		t.Errorf("Err: %v", err)
	}
	if sp, ok := s.Put([]byte("x")); !ok || s.Get(sp) != nil {
		t.Error("a failed file answers Get")
	}
}
