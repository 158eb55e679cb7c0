package mapping

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/internal/spill"
	"github.com/halocfg/halocfg/snapshot"
)

// A tenant of skeletons (diff's, verify's: flat arrays, hashed indexes
// checked against the records) answers as a tenant of whole records
// holding the same skeletons, through any sequence of puts, whole puts
// and deletes, with ids canonical or not, keys and guids shared, and
// every text hashed alike.
func TestSkeletonTenantAnswersAsWhole(t *testing.T) {
	for _, c := range []struct {
		name string
		hash func(string) uint32
	}{
		{"hashed", hashText},
		{"two hashes for every text", func(s string) uint32 { return uint32(len(s) % 2) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func(h func(string) uint32) { hashText = h }(hashText)
			hashText = c.hash
			t.Setenv("TMPDIR", t.TempDir())
			rng := rand.New(rand.NewPCG(7, 12))
			var sk, model [2]*Tenant
			for i := range sk {
				sk[i], model[i] = NewTenant(nil), NewTenant(nil)
				defer sk[i].Close()
			}
			ids := []string{"1", "2", "3", "7", "07", "+7", "-3", "10", "11", "g-1", "g-2", "30", "9223372036854775808"}
			names := []string{"Open", "Closed", "open", "New", "Ana"}
			for step := range 3000 {
				side, kind := rng.IntN(2), []string{"status", "priority", "agent"}[rng.IntN(3)]
				id := ids[rng.IntN(len(ids))]
				var idv any = id // text ids as strings, as Halo's guids are
				if _, ok := snapshot.CanonicalInt(id); ok {
					idv = json.Number(id)
				}
				rec := snapshot.Record{"id": idv, "name": names[rng.IntN(len(names))], "colour": "red"}
				if rng.IntN(3) > 0 {
					rec["guid"] = []string{"AB-1", "ab-1", "cd-2", "ef-3"}[rng.IntN(4)]
				}
				if kind == "priority" {
					rec["priorityid"] = json.Number(fmt.Sprint(100 + step)) // unique: ByRef answers one
				}
				if kind == "agent" && rng.IntN(2) == 0 {
					rec["email"] = []string{"ana@example.com", "bo@example.com"}[rng.IntN(2)]
				}
				k := catalog.MustLookupStored(kind)
				switch op := rng.IntN(10); {
				case op < 6:
					sk[side].PutSkeleton(kind, rec)
					model[side].Put(kind, Skeleton(k, rec))
				case op < 8:
					sk[side].Put(kind, rec)
					model[side].Put(kind, rec)
				default:
					sk[side].Delete(kind, id)
					model[side].Delete(kind, id)
				}
				if step%50 == 0 {
					for i := range sk {
						sameTenant(t, step, sk[i], model[i], ids, names)
					}
					for _, kind := range []string{"status", "priority", "agent"} {
						if got, want := recIDs(Contested(sk[0], sk[1], kind)), recIDs(Contested(model[0], model[1], kind)); !slices.Equal(got, want) {
							t.Fatalf("step %d: Contested %s = %v, want %v", step, kind, got, want)
						}
					}
				}
			}
			for i := range sk {
				if err := sk[i].Err(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func sameTenant(t *testing.T, step int, got, want *Tenant, ids, names []string) {
	t.Helper()
	for _, kind := range []string{"status", "priority", "agent"} {
		if g, w := got.IDs(kind), want.IDs(kind); !slices.Equal(g, w) || got.Len(kind) != want.Len(kind) {
			t.Fatalf("step %d: %s: IDs %v (Len %d), want %v", step, kind, g, got.Len(kind), w)
		}
		for _, id := range append(ids, "8") {
			if g, w := got.ByID(kind, id), want.ByID(kind, id); !snapshot.Equal(map[string]any(g), map[string]any(w)) {
				t.Fatalf("step %d: %s ByID(%s) = %v, want %v", step, kind, id, g, w)
			}
		}
		keys := slices.Clone(names)
		for _, n := range names {
			keys = append(keys, "name "+strings.ToLower(n))
		}
		keys = append(keys, "email ana@example.com", "email bo@example.com", "nobody")
		for _, key := range keys {
			if g, w := recIDs(got.ByKey(kind, key)), recIDs(want.ByKey(kind, key)); !slices.Equal(g, w) {
				t.Fatalf("step %d: %s ByKey(%q) = %v, want %v", step, kind, key, g, w)
			}
		}
		for _, guid := range []string{"ab-1", "AB-1", "cd-2", "ef-3", "zz"} {
			if g, w := recIDs(got.ByGUID(kind, guid)), recIDs(want.ByGUID(kind, guid)); !slices.Equal(g, w) {
				t.Fatalf("step %d: %s ByGUID(%q) = %v, want %v", step, kind, guid, g, w)
			}
		}
		if kind == "priority" {
			for _, rec := range want.Records(kind) {
				ref := snapshot.Scalar(rec["priorityid"])
				if g := got.ByRef(kind, ref); g.ID() != rec.ID() {
					t.Fatalf("step %d: ByRef(priority, %s) = %v, want record %s", step, ref, g, rec.ID())
				}
			}
		}
	}
}

func recIDs(recs []snapshot.Record) []string {
	out := []string{}
	for _, r := range recs {
		out = append(out, r.ID())
	}
	return out
}

// A skeleton too long for a span (16 MiB) is held whole, in memory, and
// found like any other.
func TestSkeletonTooLongHeldWhole(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	tn := NewTenant(nil)
	defer tn.Close()
	long := strings.Repeat("n", spill.MaxLen+1)
	tn.PutSkeleton("status", snapshot.Record{"id": json.Number("1"), "name": long})
	tn.PutSkeleton("status", snapshot.Record{"id": json.Number("2"), "name": "Open"})
	if got := tn.ByID("status", "1"); got == nil || got["name"] != long {
		t.Fatalf("ByID(1): %.80v", got)
	}
	if got := tn.ByKey("status", long); len(got) != 1 || got[0].ID() != "1" {
		t.Errorf("ByKey(the long name): %.80v", got)
	}
	if got := tn.ByKey("status", "Open"); len(got) != 1 || got[0].ID() != "2" {
		t.Errorf("ByKey(Open): %v", got)
	}
	if tn.Len("status") != 2 || tn.Err() != nil {
		t.Errorf("Len %d, Err %v", tn.Len("status"), tn.Err())
	}
}
