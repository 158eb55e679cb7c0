package formats

import (
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/halocfg/halocfg/snapshot"
)

// probeFormat is a format whose Write reads its source and reports to the
// test; it writes nothing.
type probeFormat struct {
	JSON
	name    string
	started chan<- string
	wait    <-chan struct{} // Write reads on once this is closed (nil: at once)
	fail    error           // returned after the first kind
	records *atomic.Int64
}

func (p probeFormat) Name() string { return p.name }

func (p probeFormat) Write(src Source, _ Creator) error {
	p.started <- p.name
	if p.wait != nil {
		select {
		case <-p.wait:
		case <-time.After(5 * time.Second):
			return errors.New("the other format never started: formats written one after another")
		}
	}
	return src.Kinds(func(kind string, recs Records) error {
		if p.fail != nil {
			return p.fail
		}
		return recs(func(snapshot.Record) error {
			p.records.Add(1)
			time.Sleep(time.Millisecond)
			return nil
		})
	})
}

type nowhere struct{}

func (nowhere) Create(string) (io.WriteCloser, error) {
	return nil, errors.New("nothing is created here")
}

func TestWriteSourceWritesFormatsAtOnce(t *testing.T) {
	s := kindSnapshot("status", 50)
	started := make(chan string, 2)
	both := make(chan struct{})
	go func() { <-started; <-started; close(both) }()
	var n atomic.Int64
	fs := []Format{
		probeFormat{name: "a", started: started, wait: both, records: &n},
		probeFormat{name: "b", started: started, wait: both, records: &n},
	}
	if err := WriteSource(FromSnapshot(s), nowhere{}, fs); err != nil {
		t.Fatal(err)
	}
	if got := n.Load(); got != 100 {
		t.Errorf("records read: %d, want 50 by each format", got)
	}
}

func TestWriteSourceStopsTheOthersOnFailure(t *testing.T) {
	s := kindSnapshot("status", 2000) // 2 s at a millisecond a record
	started := make(chan string, 4)
	var n atomic.Int64
	broken := errors.New("disk full")
	fs := []Format{
		probeFormat{name: "slow", started: started, records: &n},
		probeFormat{name: "broken", started: started, fail: broken, records: &n},
	}
	for _, src := range []struct {
		name string
		src  Source
	}{
		{"whole kinds", FromSnapshot(s)},
		{"streamed", Source{Manifest: s.Manifest, Stream: func(fn func(string, Records) error) error {
			return fn("status", sliceRecords(s.Records["status"]))
		}}},
	} {
		t.Run(src.name, func(t *testing.T) {
			n.Store(0)
			err := WriteSource(src.src, nowhere{}, fs)
			if !errors.Is(err, broken) || !strings.HasPrefix(err.Error(), "writing broken: ") {
				t.Fatalf("error: %v, want the broken format's", err)
			}
			if got := n.Load(); got >= 1000 {
				t.Errorf("the other format read %d of 2000 records after the failure", got)
			}
		})
	}
}
