package snapshot

import "strings"

// Problem is one thing wrong with a snapshot, or with importing it: tied to
// the file, or to the record (kind, id, natural key) and field at fault, so
// that a report can list every one of them. verify reports problems of a
// snapshot; an import those that keep it from going ahead (with Kind "map"
// and ID the file's name for problems of the --map file).
type Problem struct {
	File  string `json:"file,omitempty"`
	Kind  string `json:"kind,omitempty"`
	ID    string `json:"id,omitempty"`
	Key   string `json:"key,omitempty"` // the record's natural key, for people
	Field string `json:"field,omitempty"`
	Msg   string `json:"message"`
	// External is set for a reference to something halocfg does not export
	// that nothing maps: its target and id ("agent 4"). An import lists
	// those by target, not one by one.
	External string `json:"external,omitempty"`
}

// String renders the problem on one line: "file: kind id (key): field: message",
// leaving out what is not set.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File + ": ")
	}
	if p.Kind != "" {
		b.WriteString(p.Kind)
		if p.ID != "" {
			b.WriteString(" " + p.ID)
		}
		if p.Key != "" {
			b.WriteString(" (" + p.Key + ")")
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	return b.String() + p.Msg
}

func (p Problem) Error() string { return p.String() }
