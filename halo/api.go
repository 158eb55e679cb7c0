package halo

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// pageSize is what we ask for and what Halo caps pages at anyway.
const pageSize = 100

// List returns every record of k, hidden and inactive ones included, in the
// order the API gave them, each id once. Rows may be summaries; Get gives
// the full record.
//
// Paging ends at record_count, or without one at a page shorter than
// pageSize; and always at a page longer than pageSize (the endpoint ignored
// paging and sent everything) or with no new id (it ignored paging and sent
// the same rows again). The requested size alone proves nothing: the server
// caps it.
func (c *Client) List(ctx context.Context, k *catalog.Kind) ([]snapshot.Record, error) {
	out := []snapshot.Record{}
	err := c.ListEach(ctx, k, func(row snapshot.Record) { out = append(out, row) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListIDs returns the ids of every record of k, as List finds them, without
// keeping the rows: an export of a large tenant holds its ids, not its lists.
func (c *Client) ListIDs(ctx context.Context, k *catalog.Kind) ([]string, error) {
	ids := []string{}
	err := c.ListEach(ctx, k, func(row snapshot.Record) { ids = append(ids, row.ID()) })
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// ListEach pages through k's list as List does, and calls keep with each
// row the first time its id comes, as the page arrives: a caller that keeps
// a few fields of each row (ids, a directory's names) never holds the list.
func (c *Client) ListEach(ctx context.Context, k *catalog.Kind, keep func(snapshot.Record)) error {
	seen := map[string]bool{}
	for page := 1; ; page++ {
		q := fmt.Sprintf("pageinate=true&page_size=%d&page_no=%d", pageSize, page)
		if k.ListQuery != "" {
			q += "&" + k.ListQuery
		}
		r := c.api(http.MethodGet, k.Endpoint, q, nil)
		if page > 1 {
			r.what += fmt.Sprintf(" (page %d)", page)
		}
		resp, err := c.do(ctx, r)
		if err != nil {
			return err
		}
		var v any
		if err := c.decode(r, resp, &v); err != nil {
			return err
		}
		l, err := ParseList(v, k.ListKey)
		if err != nil {
			return fmt.Errorf("%s: %w", r.what, err)
		}
		rows, total := l.Rows, l.Total
		fresh := 0
		for i, row := range rows {
			id := row.ID()
			if id == "" {
				return fmt.Errorf("%s: row %d has no id", r.what, i+1)
			}
			if !seen[id] {
				seen[id] = true
				fresh++
				keep(row)
			}
		}
		var done bool
		switch {
		case len(rows) > pageSize, fresh == 0: // paging ignored
			done = true
		case total >= 0: // trusted over the page size: a server may cap pages lower
			done = len(seen) >= total
		default:
			done = len(rows) < pageSize
		}
		if done {
			return nil
		}
	}
}

// List is a list answer taken apart.
type List struct {
	Rows  []snapshot.Record
	Total int      // record_count; -1 when absent or not a number
	Bare  bool     // the answer is a bare JSON array
	Under string   // the field the rows were under; "" when bare
	Keys  []string // the answer's field names, sorted; none when bare
}

// ParseList finds the rows of a list answer: a bare array, or an object
// holding them under key or else under its only array-valued field.
func ParseList(v any, key string) (List, error) {
	l := List{Total: -1}
	var list []any
	switch v := v.(type) {
	case []any:
		list, l.Bare = v, true
	case map[string]any:
		if n, err := strconv.Atoi(snapshot.Scalar(v["record_count"])); err == nil {
			l.Total = n
		}
		var arrays []string
		for name, x := range v {
			l.Keys = append(l.Keys, name)
			if isArray(x) {
				arrays = append(arrays, name)
			}
		}
		sort.Strings(l.Keys)
		sort.Strings(arrays)
		if x, ok := v[key]; ok && (x == nil || isArray(x)) {
			list, _ = x.([]any) // null: no rows
			l.Under = key
			break
		}
		switch len(arrays) {
		case 0:
			return l, fmt.Errorf("the answer holds no list: no %q and no other array (keys: %s)", key, strings.Join(l.Keys, ", "))
		case 1:
			list, l.Under = v[arrays[0]].([]any), arrays[0]
		default:
			return l, fmt.Errorf("the answer holds no %q and several arrays, which is ambiguous (%s)", key, strings.Join(arrays, ", "))
		}
	default:
		return l, fmt.Errorf("the answer is a JSON %s, want an array or an object", catalog.JSONType(v))
	}
	l.Rows = make([]snapshot.Record, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return l, fmt.Errorf("row %d is a JSON %s, want an object", i+1, catalog.JSONType(x))
		}
		l.Rows[i] = m
	}
	return l, nil
}

func isArray(v any) bool { _, ok := v.([]any); return ok }

// Get returns the full record: GET Endpoint/{id} with k.DetailQuery.
func (c *Client) Get(ctx context.Context, k *catalog.Kind, id string) (snapshot.Record, error) {
	if err := checkID(id); err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.Name, id, err)
	}
	r := c.api(http.MethodGet, k.Endpoint+"/"+id, k.DetailQuery, nil)
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return c.oneRecord(r, resp)
}

// Post saves one record: an update when it has an id, else a create. The
// API takes a JSON array; it answers with the saved record, alone or in an
// array of one, which Post returns (a created record carries its new id).
func (c *Client) Post(ctx context.Context, k *catalog.Kind, rec snapshot.Record) (snapshot.Record, error) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode([]snapshot.Record{rec}); err != nil {
		return nil, fmt.Errorf("%s: encoding the record: %w", k.Name, err)
	}
	r := c.api(http.MethodPost, k.Endpoint, "", bytes.TrimSuffix(body.Bytes(), []byte("\n")))
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	return c.oneRecord(r, resp)
}

// Delete deletes the record with id. A 404 after an attempt whose outcome
// was unknown (a 5xx or a lost answer) means that attempt deleted it.
func (c *Client) Delete(ctx context.Context, k *catalog.Kind, id string) error {
	if err := checkID(id); err != nil {
		return fmt.Errorf("%s %s: %w", k.Name, id, err)
	}
	_, err := c.do(ctx, c.api(http.MethodDelete, k.Endpoint+"/"+id, "", nil))
	return err
}

// checkID refuses ids that would change the path they are put in.
func checkID(id string) error {
	if id == "" || id == "." || id == ".." || strings.ContainsFunc(id, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
	}) {
		return fmt.Errorf("invalid id %q", id)
	}
	return nil
}

// oneRecord reads an answer holding one record: an object, or an array of one.
func (c *Client) oneRecord(r *request, resp *response) (snapshot.Record, error) {
	var v any
	if err := c.decode(r, resp, &v); err != nil {
		return nil, err
	}
	if a, ok := v.([]any); ok && len(a) == 1 {
		v = a[0]
	}
	m, ok := v.(map[string]any)
	if !ok {
		what := "a JSON " + catalog.JSONType(v)
		if a, isArray := v.([]any); isArray {
			what = fmt.Sprintf("an array of %d", len(a))
		}
		return nil, fmt.Errorf("%s: the answer is %s, want one record", r.what, what)
	}
	return m, nil
}

// decode reads a JSON answer losslessly. A body that is not JSON, such as the
// HTML of a login page, is reported with its content type and first characters.
func (c *Client) decode(r *request, resp *response, v any) error {
	err := snapshot.Unmarshal(resp.body, v)
	if err == nil {
		return nil
	}
	ct := resp.header.Get("Content-Type")
	if ct == "" {
		ct = "none"
	}
	where := ""
	if resp.url != nil && (resp.url.Host != r.url.Host || resp.url.Path != r.url.Path) {
		where = ", redirected to " + resp.url.Host + resp.url.Path
	}
	if len(bytes.TrimSpace(resp.body)) == 0 {
		return fmt.Errorf("%s: the answer is empty (%s, content type %s%s)", r.what, resp.status, ct, where)
	}
	return fmt.Errorf("%s: the answer is not JSON (content type %s%s): %s", r.what, ct, where, snippet(resp.body, c.redact))
}
