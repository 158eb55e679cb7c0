// Package spill holds texts in a temporary file instead of on the heap,
// each read back by where it lies (a Span): what is kept of every record of
// a snapshot (mapping's skeletons, the workbook's display names) would
// otherwise grow with the tenant (issue 12). The file is unlinked as soon
// as it is made, so that nothing is left behind however the process ends.
package spill

import (
	"bufio"
	"fmt"
	"os"
	"sync"
)

// File is a spill file. Put and Get may be called from several goroutines.
// Its first failure sticks (Err): Get answers nil after it.
type File struct {
	what    string // what it holds, for errors: "record skeletons"
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	n       int64 // bytes written
	flushed int64 // bytes that reached the file
	err     error
}

// Span is where a text lies in the file, in one word: its offset (the high
// 40 bits: up to 1 TiB) and length (the low 24: up to MaxLen), 8 bytes
// where two fields took 16.
type Span uint64

const (
	lenBits = 24
	// MaxLen is the longest text a Span can name; Put refuses longer ones.
	MaxLen = 1<<lenBits - 1 - marks
	marks  = 2 // lengths beyond MaxLen, for Mark
	maxOff = 1<<(64-lenBits) - 1
)

// Mark returns a Span that Put never returns (i < 2), for a caller to say
// that a text is elsewhere.
func Mark(i int) Span { return Span(MaxLen + 1 + i) }

// Off returns the offset of the text.
func (sp Span) Off() int64 { return int64(sp >> lenBits) }

// Len returns the length of the text.
func (sp Span) Len() int { return int(sp & (1<<lenBits - 1)) }

// New makes a spill file in dir (the system's temporary directory when ""),
// holding what (for errors). A failure to make it is its Err.
func New(dir, what string) *File {
	s := &File{what: what}
	f, err := os.CreateTemp(dir, "halocfg-spill-")
	if err == nil {
		if err = os.Remove(f.Name()); err != nil {
			f.Close()
		}
	}
	if err != nil {
		s.err = fmt.Errorf("holding %s in a temporary file: %w", what, err)
		return s
	}
	s.f, s.w = f, bufio.NewWriterSize(f, 64<<10)
	return s
}

// Put appends text and returns where it lies; false when a Span cannot say
// (a text over MaxLen, a file over 1 TiB): the caller keeps it elsewhere.
func (s *File) Put(text []byte) (Span, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(text) > MaxLen || s.n+int64(len(text)) > maxOff {
		return 0, false
	}
	sp := Span(s.n)<<lenBits | Span(len(text))
	if s.err != nil {
		return sp, true
	}
	if _, err := s.w.Write(text); err != nil {
		s.fail(err)
		return sp, true
	}
	s.n += int64(len(text))
	return sp, true
}

// Get reads the text at sp; nil after a failure (Err says which).
func (s *File) Get(sp Span) []byte {
	s.mu.Lock()
	if s.err == nil && sp.Off()+int64(sp.Len()) > s.flushed {
		if err := s.w.Flush(); err != nil {
			s.fail(err)
		}
		s.flushed = s.n
	}
	err := s.err
	s.mu.Unlock()
	if err != nil {
		return nil
	}
	b := make([]byte, sp.Len())
	if _, err := s.f.ReadAt(b, sp.Off()); err != nil {
		s.mu.Lock()
		s.fail(err)
		s.mu.Unlock()
		return nil
	}
	return b
}

// Err returns the first failure, nil when there was none.
func (s *File) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *File) fail(err error) {
	if s.err == nil {
		s.err = fmt.Errorf("%s in a temporary file: %w", s.what, err)
	}
}

// Close lets go of the file, and returns the first failure.
func (s *File) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.err
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	s.fail(os.ErrClosed) // a use after Close fails, not misreads
	return err
}
