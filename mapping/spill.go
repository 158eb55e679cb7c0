package mapping

import (
	"bufio"
	"fmt"
	"os"
	"sync"
)

// spill holds the skeletons of a Tenant (PutSkeleton) in a temporary file,
// not in memory: diff and verify keep one of every record of a snapshot,
// and at 50,000 records their text was most of what either held (issue
// 12). The file is unlinked as soon as it is made, so that nothing is left
// behind however the process ends; the index by id stays in memory.
type spill struct {
	mu      sync.Mutex
	f       *os.File
	w       *bufio.Writer
	n       int64 // bytes written
	flushed int64 // bytes that reached the file
	err     error // the first failure: the tenant's Err
}

// span is where a skeleton's text lies in the spill file, in one word: its
// offset (the high 40 bits: up to 1 TiB) and length (the low 24: up to 16
// MiB), 8 bytes an entry where two fields took 16 (issue 12). Two lengths
// that no text has say where a record is instead: gone and whole.
type span uint64

const (
	spanBits = 24
	gone     = span(1<<spanBits - 1) // deleted
	whole    = span(1<<spanBits - 2) // held whole, in index.full
	maxText  = 1<<spanBits - 3
	maxOff   = 1<<(64-spanBits) - 1
)

func (sp span) off() int64 { return int64(sp >> spanBits) }
func (sp span) len() int   { return int(sp & (1<<spanBits - 1)) }

func newSpill() *spill {
	f, err := os.CreateTemp("", "halocfg-skeletons-")
	if err != nil {
		return &spill{err: fmt.Errorf("holding record skeletons in a temporary file: %w", err)}
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return &spill{err: fmt.Errorf("holding record skeletons in a temporary file: %w", err)}
	}
	return &spill{f: f, w: bufio.NewWriterSize(f, 64<<10)}
}

// put appends text and returns where it lies; false when a span cannot
// say (a text over 16 MiB, a file over 1 TiB): the record is then held
// whole instead.
func (s *spill) put(text []byte) (span, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(text) > maxText || s.n+int64(len(text)) > maxOff {
		return 0, false
	}
	sp := span(s.n)<<spanBits | span(len(text))
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

// get reads the text at sp; nil after a failure (Err says which).
func (s *spill) get(sp span) []byte {
	s.mu.Lock()
	if s.err == nil && sp.off()+int64(sp.len()) > s.flushed {
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
	b := make([]byte, sp.len())
	if _, err := s.f.ReadAt(b, sp.off()); err != nil {
		s.mu.Lock()
		s.fail(err)
		s.mu.Unlock()
		return nil
	}
	return b
}

// failure returns the first failure, nil when there was none.
func (s *spill) failure() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *spill) fail(err error) {
	if s.err == nil {
		s.err = fmt.Errorf("record skeletons in a temporary file: %w", err)
	}
}

// close lets go of the file, and returns the first failure.
func (s *spill) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.err
	if s.f != nil {
		s.f.Close()
		s.f = nil
	}
	s.fail(os.ErrClosed) // a use after close fails, not misreads
	return err
}
