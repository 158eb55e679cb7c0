package halo

import (
	"context"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halosim"
)

// Fetch hands over the answer as it came: a wrapped list with its keys, a
// record, the headers; AuthInfo tells the token's lifetime.
func TestFetch(t *testing.T) {
	tenant, c := simClient(t, halosim.Options{TokenTTL: 20 * time.Minute}, nil)
	ctx := context.Background()
	if got := c.AuthInfo(); got.Source != "" || got.Lifetime != 0 {
		t.Errorf("AuthInfo() before any token = %+v, want nothing", got)
	}
	wf := catalog.MustLookup("workflow")
	a, err := c.Fetch(ctx, wf, "", "includeinactive=true")
	if err != nil {
		t.Fatal(err)
	}
	l, err := ParseList(a.Body, wf.ListKey)
	if err != nil {
		t.Fatal(err)
	}
	want := len(tenant.Records("workflow"))
	if l.Bare || l.Under != "workflows" || l.Total != want || len(l.Rows) != want || len(l.Keys) != 3 {
		t.Errorf("workflow list: bare %v, under %q, total %d, %d rows, keys %v; want wrapped under workflows, %d rows, 3 keys",
			l.Bare, l.Under, l.Total, len(l.Rows), l.Keys, want)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type header = %q", ct)
	}
	st := catalog.MustLookup("status")
	a, err = c.Fetch(ctx, st, "1", "")
	if rec, ok := a.Body.(map[string]any); err != nil || !ok || rec["id"] == nil {
		t.Errorf("status 1: %v, %T", err, a.Body)
	}
	if _, err := c.Fetch(ctx, st, "../x", ""); err == nil {
		t.Error("an id that leaves the path was accepted")
	}
	if got := c.AuthInfo(); got.Source != "authinfo" || !got.SameHost || got.Lifetime != 20*time.Minute || got.RenewBefore != time.Minute {
		t.Errorf("AuthInfo() = %+v, want authinfo, same host, 20m, renewed 1m before", got)
	}
	if s := c.Stats(); s.Requests != 2 || s.Writes != 0 {
		t.Errorf("stats %+v, want 2 requests, no write", s)
	}
}
