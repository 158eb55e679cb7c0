package snapshot

import "testing"

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "json/status.json", Msg: "sha256 differs"}, "json/status.json: sha256 differs"},
		{Problem{Msg: "no records in any format"}, "no records in any format"},
		{Problem{Kind: "status", Msg: "json: 3 records, the manifest counts 4"}, "status: json: 3 records, the manifest counts 4"},
		{Problem{Kind: "outcome", ID: "12", Field: "newstatus", Msg: "dangling reference"}, "outcome 12: newstatus: dangling reference"},
		{Problem{Kind: "outcome", ID: "12", Key: "Close", Field: "newstatus", Msg: "dangling reference"}, "outcome 12 (Close): newstatus: dangling reference"},
		{Problem{Kind: "status", ID: "3", Key: "Open", Msg: "no natural key"}, "status 3 (Open): no natural key"},
		{Problem{Kind: "map", ID: "map.json", Field: "status.Open", Msg: "the target has no status 9"}, "map map.json: status.Open: the target has no status 9"},
		{Problem{File: "manifest.json", Kind: "widget", Msg: "not a kind halocfg knows"}, "manifest.json: widget: not a kind halocfg knows"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.p, got, tt.want)
		}
		if got := tt.p.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}
