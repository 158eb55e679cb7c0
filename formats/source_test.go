package formats

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/halocfg/halocfg/snapshot"
)

// TestConvertHoldsOneKindAtATime (issue 12): convert read the whole
// snapshot, then wrote it: at 50,000 records it held 3.6 to 5.3 GB. Read
// and written one kind at a time (OpenSource, WriteSource), it holds at
// most half of what reading it whole and writing it holds (the writers' own
// buffers, a Parquet row group or excelize's, are the same either way).
func TestConvertHoldsOneKindAtATime(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 4,000 full-schema records")
	}
	dir := writeSnapshot(t, benchSnapshot(4000), JSON{}, Parquet{})
	convert := func(t *testing.T, h *heapSampler, src Source, to Format) {
		d, err := snapshot.NewDir(filepath.Join(t.TempDir(), "out"), false)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Abort()
		if err := WriteSource(src, sampledDir{d, h}, []Format{to}); err != nil {
			t.Fatal(err)
		}
	}
	for _, from := range []Format{JSON{}, Parquet{}} {
		src := copyFormat(t, dir, from)
		for _, to := range All() {
			if to == from {
				continue
			}
			t.Run(from.Name()+"-"+to.Name(), func(t *testing.T) {
				whole := newHeapSampler()
				s, err := Open(src)
				if err != nil {
					t.Fatal(err)
				}
				whole.sample()
				convert(t, whole, FromSnapshot(s), to)
				s = nil

				kinds := newHeapSampler()
				source, err := OpenSource(src)
				if err != nil {
					t.Fatal(err)
				}
				convert(t, kinds, source, to)
				t.Logf("peak live heap %d MiB; read whole, then written: %d MiB", kinds.peakAbove()>>20, whole.peakAbove()>>20)
				if kinds.peakAbove() > whole.peakAbove()/2 {
					t.Errorf("converting one kind at a time held %d MiB at its peak; reading the whole snapshot and writing it holds %d MiB", kinds.peakAbove()>>20, whole.peakAbove()>>20)
				}
			})
		}
	}
}

// copyFormat copies the snapshot directory dir holding only f's files (and
// the manifest, which still lists the others).
func copyFormat(t *testing.T, dir string, f Format) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), f.Name())
	if err := os.CopyFS(out, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	removeFormats(t, out, f)
	return out
}
