package importer

import (
	"bytes"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/mapping"
)

// TestWriteMap: the --map entries given, then every unmapped id as null, in
// id order; hints apart; and the map reads back as the entries given.
func TestWriteMap(t *testing.T) {
	p := &Plan{
		over: mapping.Overrides{"status": {"Open": "31"}, "team": {"2": "5"}, "agent": {"x-1": "ab"}},
		Unmapped: []mapping.Unmapped{
			{Target: "agent", ID: "4", Names: []string{"Jane Smith"}, Records: []string{"outcome 1 (Close)", "outcome 2 (Hold)"}, Fields: []string{"outcome.defaultagent"}},
			{Target: "agent", ID: "12", GUIDs: []string{"g-12"}, Records: []string{"status 3 (New)"}, Fields: []string{"status.statusnochangehoursmanager"}},
			{Target: "mailbox", ID: "7", Records: []string{"outcome 1 (Close)"}, Fields: []string{"outcome.newaction_emailfrom"}},
		},
	}
	var b bytes.Buffer
	if err := p.WriteMap(&b); err != nil {
		t.Fatal(err)
	}
	// kinds first, in catalog order, then the external targets by name
	_, body, _ := strings.Cut(b.String(), "does not read them.\",\n")
	want := `  "status": {
    "Open": 31
  },
  "agent": {
    "4": null,
    "12": null,
    "x-1": "ab"
  },
  "mailbox": {
    "7": null
  },
  "team": {
    "2": 5
  },
  "_hints": {
    "agent": {
      "4": {"names":["Jane Smith"],"records":2,"fields":["outcome.defaultagent"]},
      "12": {"guids":["g-12"],"records":1,"fields":["status.statusnochangehoursmanager"]}
    },
    "mailbox": {
      "7": {"records":1,"fields":["outcome.newaction_emailfrom"]}
    }
  }
}
`
	if body != want {
		t.Errorf("WriteMap:\n%s\nwant after _about:\n%s", b.String(), want)
	}
	o, err := mapping.ParseOverrides(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(o["agent"]) != 1 || o["agent"]["x-1"] != "ab" || o["status"]["Open"] != "31" || len(o["mailbox"]) != 0 {
		t.Errorf("read back: %v", o)
	}
}
