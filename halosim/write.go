package halosim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// maxBody bounds a POST body; Halo's own limit is of this order.
const maxBody = 64 << 20

// write serves POST /api/{Entity}: a JSON array whose elements update (with
// an id) or create (without) records. The whole body is validated first, as
// a typed .NET API binds it; one bad element rejects it all with a 400
// naming the field, and nothing is applied.
func (t *Tenant) write(w http.ResponseWriter, r *http.Request, k *catalog.Kind) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "reading the body: "+err.Error())
		return
	}
	if code, msg := checkContentType(r.Header.Get("Content-Type"), body); code != 0 {
		writeError(w, code, "bad_request", msg)
		return
	}
	var elems []any
	if err := snapshot.Unmarshal(body, &elems); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", "the body must be a JSON array of objects: "+err.Error())
		return
	}
	t.mu.Lock()
	for i, e := range elems {
		m, ok := e.(map[string]any)
		if !ok {
			t.mu.Unlock()
			writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("[%d]: want an object, got %s", i, catalog.JSONType(e)))
			return
		}
		if err := t.validate(k, m); err != nil {
			t.mu.Unlock()
			writeError(w, http.StatusBadRequest, "bad_request", fmt.Sprintf("[%d] %v", i, err))
			return
		}
	}
	tb := t.data[k.Name]
	saved := make([]snapshot.Record, len(elems))
	for i, e := range elems {
		saved[i] = t.view(tb, t.apply(tb, e.(map[string]any)))
	}
	hook := t.onWrite
	t.mu.Unlock()

	if hook != nil {
		for _, rec := range saved {
			hook(k.Name, rec.Clone())
		}
	}
	t.cmu.Lock()
	t.stats.Writes += len(saved)
	drop := false
	if t.dropWrite > 0 {
		t.dropWrite--
		drop = t.dropWrite == 0
	}
	if t.lostRate > 0 && t.lost.Float64() < t.lostRate {
		drop = true
	}
	if drop {
		t.stats.LostAnswers++
	}
	t.cmu.Unlock()
	if drop {
		dropConnection(w)
		return
	}
	var out bytes.Buffer
	if behaviours[k.Name].writeArray || len(saved) == 0 {
		writeJSON(&out, saved, k.Schema)
	} else {
		writeJSON(&out, saved[0], k.Schema)
	}
	writeBody(w, http.StatusOK, out.Bytes())
}

// checkContentType wants application/json, with charset=utf-8 when the
// body is not plain ASCII (Halo mangles or rejects such bodies otherwise).
func checkContentType(ct string, body []byte) (int, string) {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: want application/json; charset=utf-8", ct)
	}
	ascii := true
	for _, c := range body {
		if c >= 0x80 {
			ascii = false
			break
		}
	}
	if !ascii && !strings.EqualFold(params["charset"], "utf-8") {
		return http.StatusUnsupportedMediaType, fmt.Sprintf("Content-Type %q: a body with non-ASCII characters needs charset=utf-8", ct)
	}
	if len(body) > maxBody {
		return http.StatusRequestEntityTooLarge, "body too large"
	}
	if !utf8.Valid(body) {
		return http.StatusBadRequest, "the body is not valid UTF-8"
	}
	return 0, ""
}

// elementID tells an update (a nonzero id; for priority a non-empty uuid)
// from a create, and returns the id as the table keys it.
func elementID(k *catalog.Kind, m map[string]any) (id string, update bool) {
	switch v := m["id"].(type) {
	case string:
		return strings.ToLower(v), k.StringID && v != ""
	case json.Number:
		n, err := strconv.ParseInt(v.String(), 10, 64)
		return strconv.FormatInt(n, 10), !k.StringID && err == nil && n > 0
	}
	return "", false
}

// validate checks one element against the schema and this tenant. Callers
// hold t.mu.
func (t *Tenant) validate(k *catalog.Kind, m map[string]any) error {
	if probs := catalog.CheckTypes(k.Schema, m); len(probs) > 0 {
		return errors.New(probs[0]) // a typed binder stops at the first
	}
	if id, update := elementID(k, m); update && t.data[k.Name].byID[id] == nil {
		return fmt.Errorf("id: no %s with id %s to update", k.Name, id)
	}
	for _, sl := range k.SlotsAt(m) {
		if sl.External || sl.Ref.Owner {
			continue // Halo sets back-references itself
		}
		key, none, err := sl.IDText()
		if err != nil {
			return fmt.Errorf("%s: %v", sl.At, err)
		}
		if none {
			continue
		}
		if t, _ := target(sl, key, t.find); t == nil {
			if sl.Ref.Row != "" {
				in, _, _ := sl.In()
				return fmt.Errorf("%s: no %s row %s in %s %s in this tenant", sl.At, sl.Ref.Row, key, sl.Target, in)
			}
			tk := catalog.MustLookup(sl.Target)
			return fmt.Errorf("%s: no %s with %s %s in this tenant", sl.At, sl.Target, tk.RefField, key)
		}
	}
	return nil
}

// apply stores a validated element and returns the stored record. Callers
// hold t.mu.
func (t *Tenant) apply(tb *table, m map[string]any) snapshot.Record {
	k := tb.kind
	id, update := elementID(k, m)
	var rec snapshot.Record
	if update {
		rec = tb.byID[id]
		tb.remove(id) // its guid may change
		keep := rec[k.RefField]
		for f, v := range m {
			rec[f] = v
		}
		// The id, and priority's priorityid, identify the record: an update
		// cannot change them (other records refer to them).
		rec["id"], rec[k.RefField] = id, keep
		if !k.StringID {
			rec["id"] = json.Number(id)
		}
	} else {
		rec = snapshot.Record(m)
		fields, _ := catalog.Schema(k.Schema)
		for _, f := range fields {
			if _, ok := rec[f.Name]; !ok {
				rec[f.Name] = zero(f)
			}
		}
		if k.StringID {
			rec["id"] = uuid(t.idRand)
			rec[k.RefField] = num(tb.next)
		} else {
			rec["id"] = num(tb.next)
		}
		if _, ok := rec["guid"]; ok {
			if g, _ := rec["guid"].(string); g == "" || tb.guids[strings.ToLower(g)] {
				rec["guid"] = uuid(t.idRand)
			}
		}
	}
	t.numberRows(k, rec)
	fillPartners(rec, k, t.find)
	tb.put(rec)
	return rec
}

// numberRows gives the rows of rec's keyed arrays (Kind.RowKeys: a custom
// field's values) and of the arrays whose rows back-references point at
// (Ref.OwnerRow: a workflow's steps) that came without an id one of their
// own, as Halo numbers the rows it adds. Callers hold t.mu.
func (t *Tenant) numberRows(k *catalog.Kind, rec snapshot.Record) {
	eachNumberedRow(k, rec, func(row map[string]any, idf string, id int64) {
		if id <= 0 {
			t.rowID++
			row[idf] = num(t.rowID)
		}
	})
}

// eachNumberedRow calls fn with each row of rec that the tenant numbers
// (see numberRows), the field holding its id and the id (0 when it has none).
func eachNumberedRow(k *catalog.Kind, rec snapshot.Record, fn func(row map[string]any, idf string, id int64)) {
	arrays := map[string]string{} // path of the rows -> their id field
	for array := range k.RowKeys {
		arrays[array+"[]"] = "id"
	}
	for _, r := range k.Refs {
		if r.OwnerRow != "" {
			arrays[r.OwnerRow] = k.RowIDField(r.OwnerRow)
		}
	}
	for _, array := range slices.Sorted(maps.Keys(arrays)) {
		idf := arrays[array]
		rows, _ := catalog.Ref{Field: array + "." + idf}.Holders(rec)
		for _, row := range rows {
			id, _ := strconv.ParseInt(snapshot.Scalar(row[idf]), 10, 64)
			fn(row, idf, id)
		}
	}
}

// zero is what Halo's classes serialize for a field a create left out.
func zero(f catalog.Field) any {
	switch f.Type {
	case "integer":
		return num(0)
	case "number":
		return json.Number("0.0")
	case "boolean":
		return false
	}
	return nil
}
