package snapshot

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"maps"
	"slices"
	"sync"
)

// Digest is the SHA-256 of a decoded JSON value, equal for two values
// exactly when Same is (but for a collision), computed without encoding the
// value: verify and diff keep a digest of each record rather than the
// record. Each value is written tagged with its type and lengths, objects
// with their keys sorted; values of other Go types as the JSON they encode to.
func Digest(v any) [sha256.Size]byte {
	d := digesters.Get().(*digester)
	defer digesters.Put(d)
	d.h.Reset()
	d.buf = d.buf[:0]
	d.value(v)
	d.h.Write(d.buf)
	var out [sha256.Size]byte
	d.h.Sum(out[:0])
	return out
}

// digesters are reused: a digest per record of a snapshot would otherwise
// allocate a buffer each.
var digesters = sync.Pool{New: func() any { return &digester{h: sha256.New(), buf: make([]byte, 0, 16<<10)} }}

type digester struct {
	h    hash.Hash
	buf  []byte     // written to h when full
	keys [][]string // an object's keys, sorted, by depth
}

func (d *digester) value(v any) {
	switch x := v.(type) {
	case nil:
		d.buf = append(d.buf, 'z')
	case bool:
		tag := byte('f')
		if x {
			tag = 't'
		}
		d.buf = append(d.buf, tag)
	case string:
		d.text('s', x)
	case json.Number:
		d.text('n', string(x))
	case Record:
		d.object(x)
	case map[string]any:
		d.object(x)
	case []any:
		d.buf = binary.AppendUvarint(append(d.buf, '['), uint64(len(x)))
		for _, e := range x {
			d.value(e)
		}
	default: // as the JSON it encodes to, which Same compares
		dec := json.NewDecoder(bytes.NewReader(Canonical(x)))
		dec.UseNumber()
		var j any
		if err := dec.Decode(&j); err != nil {
			panic(fmt.Sprintf("snapshot: digest: %v", err)) // Canonical wrote it
		}
		d.value(j)
	}
}

func (d *digester) object(m map[string]any) {
	d.buf = binary.AppendUvarint(append(d.buf, '{'), uint64(len(m)))
	depth := len(d.keys)
	var keys []string
	if cap(d.keys) > depth {
		keys = d.keys[:depth+1][depth][:0]
	}
	keys = slices.AppendSeq(keys, maps.Keys(m))
	slices.Sort(keys)
	d.keys = append(d.keys[:depth], keys)
	for _, k := range keys {
		d.text('k', k)
		d.value(m[k])
	}
	d.keys = d.keys[:depth]
}

func (d *digester) text(tag byte, s string) {
	d.buf = binary.AppendUvarint(append(d.buf, tag), uint64(len(s)))
	if len(d.buf)+len(s) > cap(d.buf) {
		d.h.Write(d.buf)
		d.buf = d.buf[:0]
		if len(s) > cap(d.buf) {
			d.h.Write([]byte(s))
			return
		}
	}
	d.buf = append(d.buf, s...)
}
