package formats

import (
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// peopleSnapshot is a snapshot holding the directories of people (and one
// configuration kind): emails present, "", null and absent; names that
// look like numbers or formulas, in other scripts, with quotes.
func peopleSnapshot() *snapshot.Snapshot {
	s := snapshot.New("https://example.halopsa.com", time.Date(2024, 5, 1, 12, 30, 0, 0, time.UTC))
	s.Manifest.Tool = "halocfg test"
	dec := func(js string) []snapshot.Record {
		var rs []snapshot.Record
		if err := snapshot.Unmarshal([]byte(js), &rs); err != nil {
			panic(err)
		}
		return rs
	}
	s.Put("status", dec(`[{"id":1,"name":"Open"}]`))
	s.Put("agent", dec(`[{"id":1,"name":"Ana López","email":"ana@x.example"},{"id":2,"name":"=HYPERLINK(\"x\")","email":""},
		{"id":3,"name":"007","email":null},{"id":4,"name":"Liam O'Brien \"LB\""},{"id":9007199254740993,"name":"山田 太郎","email":"yamada@x.example"}]`))
	s.Put("team", dec(`[{"id":1,"name":"Service Desk"},{"id":2,"name":"Service Desk"}]`))
	s.Put("site", dec(`[{"id":1,"client_name":"Acme","name":"Main Office"},{"id":2,"client_name":null,"name":"Main Office"}]`))
	for _, k := range catalog.PairOnlyKinds() {
		if _, ok := s.Records[k.Name]; !ok {
			s.Put(k.Name, nil) // an empty directory: the target has none of them
		}
	}
	return s
}
