// Package verify checks that a snapshot directory can be trusted: every file
// the manifest lists is there with its size and sha256, nothing else is, every
// format parses and holds the records the manifest counts, the formats agree,
// and every reference between records resolves inside the snapshot.
//
// It reports every problem it finds, not only the first.
package verify

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// Unverifiable counts the references of one field to a kind the snapshot
// does not hold (an export with --only): they cannot be checked, and are
// not dangling either.
type Unverifiable struct {
	Kind, Field, Target string
	Count               int
}

// Report is the outcome of verifying one snapshot.
type Report struct {
	Dir      string
	Manifest snapshot.Manifest
	Formats  []string // formats found and read, in order of preference
	// Complete lists the formats a restore can read alone: every file
	// there and intact, parsed, and every record the manifest counts.
	Complete []string
	// Restore is the format import and convert read (formats.Open), ""
	// when they refuse the snapshot.
	Restore  string
	Files    int // files the manifest lists
	Records  int // records of the first readable format
	Refs     int // internal references checked
	External int // references to things halocfg does not export, not checked

	Unverifiable []Unverifiable
	Problems     []snapshot.Problem
}

// OK reports whether the snapshot has no problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(p snapshot.Problem) { r.Problems = append(r.Problems, p) }

// Dir verifies the snapshot in dir. The error is for a directory that is not
// a snapshot at all (no readable manifest), or for verify's own temporary
// file failing (mapping.Tenant.Err); everything else is a Problem.
func Dir(dir string) (*Report, error) {
	m, err := snapshot.ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	r := &Report{Dir: dir, Manifest: m, Files: len(m.Files)}
	intact := r.checkFiles()
	for name := range m.Kinds {
		if _, ok := catalog.LookupStored(name); !ok {
			r.add(snapshot.Problem{File: snapshot.ManifestName, Kind: name, Msg: "not a kind halocfg knows"})
		}
	}
	h, f := r.checkFormats(intact)
	if h != nil {
		defer h.t.Close()
		r.Problems = append(r.Problems, h.ids...)
		r.checkRefs(h, f)
		if err := h.t.Err(); err != nil {
			return nil, err // references may have gone unchecked
		}
	}
	return r, nil
}

// checkFiles compares the files on disk with the manifest's list, and
// returns the formats whose files are all there and intact.
func (r *Report) checkFiles() (intact map[string]bool) {
	files := formats.CheckFiles(r.Dir, r.Manifest)
	if f, err := files.Readable(); err == nil {
		r.Restore = f.Name()
	}
	listed := map[string]bool{snapshot.ManifestName: true}
	for i, f := range r.Manifest.Files {
		if listed[f.Path] {
			r.add(snapshot.Problem{File: snapshot.ManifestName, Msg: fmt.Sprintf("%s is listed twice", f.Path)})
			continue
		}
		listed[f.Path] = true
		var fe *snapshot.FileError
		if err := files.Errs[i]; errors.As(err, &fe) {
			r.add(snapshot.Problem{File: f.Path, Msg: fe.Err.Error()})
		} else if err != nil {
			r.add(snapshot.Problem{File: f.Path, Msg: err.Error()})
		}
	}
	extra, err := snapshot.Unlisted(r.Dir, r.Manifest)
	if err != nil {
		r.add(snapshot.Problem{Msg: err.Error()})
	}
	for _, rel := range extra {
		r.add(snapshot.Problem{File: rel, Msg: "present but not in the manifest"})
	}
	intact = map[string]bool{}
	for _, f := range files.Complete {
		intact[f.Name()] = true
	}
	return intact
}

// held is what verify keeps of the records of a format: their skeletons
// (mapping.Tenant.PutSkeleton), and what checking their ids found.
type held struct {
	t       *mapping.Tenant
	kinds   map[string]bool    // the kinds read
	records int                // records read
	ids     []snapshot.Problem // records without an id, ids that repeat: by kind
}

func newHeld() *held { return &held{t: mapping.NewTenant(nil), kinds: map[string]bool{}} }

// checkFormats reads every format present, in formats.Open's order of
// preference, checks its counts against the manifest and its records
// against the first format read, and returns what it held of the records
// of the first format that is complete (or, when none is, of the first
// that read at all; nil when none did), with that format. A format is
// complete when its files are all there and intact (intact, from
// checkFiles), it parses, and it holds every record the manifest counts:
// Open can restore from it alone.
//
// Formats are read one record at a time (formats.Stream), and of the first
// format read verify keeps a digest of each record, not the record: at
// 50,000 records holding it whole took gigabytes.
func (r *Report) checkFormats(intact map[string]bool) (*held, formats.Format) {
	var first, best *held // the first read, the first complete
	var firstF, bestF formats.Format
	var firstSums map[string][]sum
	var made []*held // one a format, closed but for the one returned
	unreadable := false
	for _, f := range formats.All() {
		name := f.Name()
		// Keep this format's skeletons if it is the first read, or may be
		// the first complete one.
		keep := first == nil || best == nil
		kept := newHeld()
		made = append(made, kept)
		sums := map[string][]sum{}
		var text, same []snapshot.Problem
		counts := map[string]int{}
		err := f.Stream(r.Dir, func(kind string, recs formats.Records) error {
			known := keep && kept.t.AddKind(kind)
			var ids []snapshot.Problem
			seen := map[string]bool{}
			var ds []sum
			n, differs := 0, -1 // records read; the first that differs from the first format's
			var differsID string
			err := recs(func(rec snapshot.Record) error {
				// The first string that is not UTF-8: JSON's decoder refuses
				// such text; Parquet's strings are bytes, and would reach a
				// tenant as they are.
				if field, msg, bad := snapshot.BadText(rec); bad {
					text = append(text, snapshot.Problem{Kind: kind, ID: rec.ID(), Field: field, Msg: name + ": " + msg})
				}
				d := snapshot.Digest(rec)
				if first == nil {
					ds = append(ds, d)
				} else if ra := firstSums[kind]; differs < 0 && (n >= len(ra) || ra[n] != d) {
					differs, differsID = n, rec.ID()
				}
				if keep {
					// References to records without an id, or to one of
					// two with an id, would be ambiguous.
					switch id := rec.ID(); {
					case id == "":
						ids = append(ids, snapshot.Problem{Kind: kind, Msg: fmt.Sprintf("record %d has no id", n+1)})
					case seen[id]:
						ids = append(ids, snapshot.Problem{Kind: kind, ID: id, Msg: "id appears twice"})
					default:
						seen[id] = true
					}
					if known {
						kept.t.PutSkeleton(kind, rec)
					}
				}
				n++
				return nil
			})
			if err != nil {
				return err
			}
			counts[kind] = n
			// A kind whose counts differ is already a count problem.
			if ra := firstSums[kind]; first != nil && differs >= 0 && len(ra) == n {
				same = append(same, snapshot.Problem{Kind: kind, ID: differsID, Msg: fmt.Sprintf("%s and %s hold different records", firstF.Name(), name)})
			}
			if first == nil {
				sums[kind] = ds
			}
			if keep {
				kept.kinds[kind] = true
				kept.records += n
				kept.ids = append(kept.ids, ids...)
			}
			return nil
		})
		if err != nil {
			r.add(snapshot.Problem{Msg: fmt.Sprintf("%s: does not parse: %v", name, err)})
			unreadable = true
			continue
		}
		if len(counts) == 0 {
			continue // this format was not written, or its files are all missing
		}
		r.Formats = append(r.Formats, name)
		byKind := func(ps []snapshot.Problem) []snapshot.Problem {
			sort.SliceStable(ps, func(i, j int) bool { return ps[i].Kind < ps[j].Kind })
			return ps
		}
		countProblems := r.Manifest.CountProblems(name, counts)
		r.Problems = append(append(append(r.Problems, byKind(text)...), countProblems...), byKind(same)...)
		complete := len(text) == 0 && len(countProblems) == 0
		if first == nil {
			first, firstF, firstSums = kept, f, sums
		}
		if complete && intact[name] {
			r.Complete = append(r.Complete, name)
			if best == nil {
				best, bestF = kept, f
			}
		}
	}
	if best == nil {
		best, bestF = first, firstF
	}
	for _, h := range made { // the skeletons' files of the formats not kept
		if h != best {
			h.t.Close()
		}
	}
	if !slices.Contains(r.Complete, r.Restore) {
		r.Restore = "" // Open would find it incomplete
	}
	if first == nil && !unreadable && len(r.Manifest.Kinds) > 0 {
		r.add(snapshot.Problem{Msg: "no records in any format, although the manifest counts some"})
	}
	if best != nil {
		r.Records = best.records
		sort.SliceStable(best.ids, func(i, j int) bool { return best.ids[i].Kind < best.ids[j].Kind })
	}
	return best, bestF
}

// sum stands for a record when formats are compared, which they are
// record by record in their order: its snapshot.Digest, equal exactly when
// snapshot.Same is. Its id is not kept: the record that differs is named
// by the later format's id (issue 12: 24 bytes a record less).
type sum = [sha256.Size]byte

// checkRefs resolves every internal reference of every record to a record
// of its target kind, by the target's RefField. 0, -1, null and "" are "no
// reference". What references point at is in h, the skeletons of the
// records; the references themselves are read again from format f, one
// record at a time.
func (r *Report) checkRefs(h *held, f formats.Format) {
	tenant := h.t
	listed := map[string]bool{}
	for kind := range r.Manifest.Kinds {
		listed[kind] = true
	}
	unverifiable := map[[3]string]int{}
	found := map[string][]snapshot.Problem{} // by kind: reported in the catalog's order
	err := f.Stream(r.Dir, func(kind string, full formats.Records) error {
		k, ok := catalog.Lookup(kind)
		if !ok || !h.kinds[kind] {
			return nil // a directory of people holds no references; a kind not read the first time is already a problem
		}
		add := func(p snapshot.Problem) { found[kind] = append(found[kind], p) }
		return full(func(rec snapshot.Record) error {
			for _, sl := range k.Slots(rec) {
				ref := sl.Ref
				if sl.External {
					// Not checked: what it points at is not in a snapshot,
					// and its shape is Halo's business.
					if _, none, err := sl.IDText(); err != nil || !none {
						r.External++
					}
					continue
				}
				text, none, err := sl.IDText()
				switch {
				case err != nil:
					add(snapshot.Problem{Kind: k.Name, ID: rec.ID(), Field: ref.Field, Msg: err.Error()})
					continue
				case none, ref.OwnerRow != "":
					continue // a back-reference to the row that holds it: Halo sets it from the row
				case !listed[sl.Target]:
					unverifiable[[3]string{k.Name, ref.Field, sl.Target}]++
					continue
				case !tenant.Has(sl.Target):
					continue // its records did not read: already a problem
				}
				r.Refs++
				tk := catalog.MustLookup(sl.Target)
				if ref.Row == "" {
					if tenant.ByRef(sl.Target, text) == nil {
						add(snapshot.Problem{Kind: k.Name, ID: rec.ID(), Field: ref.Field,
							Msg: fmt.Sprintf("dangling reference: no %s with %s %s in the snapshot", sl.Target, tk.RefField, text)})
					}
					continue
				}
				in, _, _ := sl.In()
				switch t := tenant.ByRef(sl.Target, in); {
				case t == nil:
					add(snapshot.Problem{Kind: k.Name, ID: rec.ID(), Field: ref.Field,
						Msg: fmt.Sprintf("dangling reference: %s row %s of %s %q, which is not in the snapshot (%s)", ref.Row, text, sl.Target, in, ref.In)})
				case catalog.RowByID(t, ref.Row, text) == nil:
					add(snapshot.Problem{Kind: k.Name, ID: rec.ID(), Field: ref.Field,
						Msg: fmt.Sprintf("dangling reference: %s %s has no %s row %s", sl.Target, in, ref.Row, text)})
				}
			}
			return nil
		})
	})
	if err != nil {
		r.add(snapshot.Problem{Msg: fmt.Sprintf("%s: does not parse when read again: %v", f.Name(), err)})
	}
	for _, k := range catalog.Kinds() {
		r.Problems = append(r.Problems, found[k.Name]...)
	}
	for key, n := range unverifiable {
		r.Unverifiable = append(r.Unverifiable, Unverifiable{Kind: key[0], Field: key[1], Target: key[2], Count: n})
	}
	sort.Slice(r.Unverifiable, func(i, j int) bool {
		a, b := r.Unverifiable[i], r.Unverifiable[j]
		return a.Kind+"."+a.Field < b.Kind+"."+b.Field
	})
}
