package formats

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/halocfg/halocfg/snapshot"
)

// TestJSONCutter checks that the cutter finds each record's end whatever the
// record holds (brackets and quotes in strings, escaped backslashes before a
// quote, blanks), whichever way the reader hands the bytes over (one at a
// time, or a record larger than the buffer), and refuses a broken array
// naming what is wrong.
func TestJSONCutter(t *testing.T) {
	big := strings.Repeat(`x\"]}`, 120<<10) // 600 KiB: more than the buffer
	cases := []struct {
		name, text string
		records    int
		err        string // "" when it decodes
	}{
		{"empty array", " [ ] \n", 0, ""},
		{"brackets in strings", `[{"id":1,"a":"]}","b":"{[\"]"},{"id":2,"c":["}",{"d":"\\"}]}]`, 2, ""},
		{"backslashes before a quote", `[{"id":1,"a":"\\\\","b":"\\\"\\"},{"id":2}]`, 2, ""},
		{"blanks everywhere", "\n[\n\t{ \"id\" : 1 }\r\n,\n{\"id\":2}\n]\n", 2, ""},
		{"a record larger than the buffer", `[{"id":1,"a":"` + big + `"},{"id":2}]`, 2, ""},
		{"empty file", ``, 0, "not a JSON array of records: unexpected EOF"},
		{"an object", `{"id":1}`, 0, `not a JSON array of records: starts with '{', not [`},
		{"truncated in a string", `[{"id":1},{"id":2,"a":"ab`, 1, "not a JSON array of records: unexpected EOF"},
		{"truncated after a record", `[{"id":1}`, 1, "not a JSON array of records: unexpected EOF"},
		{"a comma before the end", `[{"id":1},]`, 1, `not a JSON array of records: invalid character ']' where a record should start`},
		{"no comma", `[{"id":1} {"id":2}]`, 1, `not a JSON array of records: invalid character '{' after a record`},
		{"a closing brace", `[}`, 0, `not a JSON array of records: invalid character '}' where a record should start`},
		{"a scalar", `[1]`, 0, "record 1: record is a JSON json.Number, want a JSON object"},
		{"a scalar at the end", `[{"id":1},2`, 1, "record 2: record is a JSON json.Number, want a JSON object"},
		{"bad syntax inside a record", `[{"id":1},{"id":2,}]`, 1, "record 2: invalid character '}' looking for beginning of object key string"},
		{"trailing data", `[{"id":1}] ]`, 1, "not a JSON array of records: unexpected data after the JSON value"},
	}
	for _, c := range cases {
		for _, slow := range []bool{false, true} {
			name := c.name
			if slow {
				name += "/one byte at a time"
			}
			t.Run(name, func(t *testing.T) {
				var r io.Reader = strings.NewReader(c.text)
				if slow {
					r = iotest.OneByteReader(r)
				}
				var ids []string
				err := decodeJSONEach(r, func(rec snapshot.Record) error {
					ids = append(ids, rec.ID())
					return nil
				})
				if c.err == "" && err != nil || c.err != "" && (err == nil || err.Error() != c.err) {
					t.Fatalf("error %v\nwant  %s", err, c.err)
				}
				if len(ids) != c.records {
					t.Errorf("records %v, want %d", ids, c.records)
				}
			})
		}
	}
	var got []snapshot.Record
	decodeJSONEach(strings.NewReader(cases[4].text), func(r snapshot.Record) error { got = append(got, r); return nil })
	if a, _ := got[0]["a"].(string); a != strings.ReplaceAll(big, `\"`, `"`) {
		t.Errorf("the large record's string: %d bytes, want %d", len(a), len(big)-120<<10)
	}
}

// FuzzJSONCutter checks decodeJSONEach against encoding/json cutting the
// array (as it did before the cutter): the same records, and an error
// exactly where encoding/json, or the strict decoder, finds one.
func FuzzJSONCutter(f *testing.F) {
	f.Add(seedFile(f, "json/status.json"))
	for _, s := range []string{`[]`, `[{"id":1,"a":"]\\\"}"},{"id":2}]`, `[{"id":1},]`, `[1,{"a":[}]}]`, `[{"a":"\xff"}]`, ` [ {} ] x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got []snapshot.Record
		err := decodeJSONEach(bytes.NewReader(data), func(r snapshot.Record) error { got = append(got, r); return nil })
		var raws []json.RawMessage
		var want []snapshot.Record
		werr := json.Unmarshal(data, &raws)
		if werr == nil && raws == nil {
			werr = errors.New("null, not an array") // refused as before
		}
		for i := 0; werr == nil && i < len(raws); i++ {
			var r snapshot.Record
			if r, werr = snapshot.DecodeRecord(raws[i]); werr == nil {
				want = append(want, r)
			}
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("%q: error %v, encoding/json and DecodeRecord: %v", data, err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("%q: records %v\nwant %v", data, got, want)
		}
	})
}
