package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/halosim"
	"github.com/halocfg/halocfg/snapshot"
)

// TestBackupLargeEmailBodies is issue 8's nightly backup: nine email
// templates with 8 MB bodies made a Parquet file of 470 MB with a 151 MB
// footer that halocfg's own reader refused, so every night's snapshot was
// renamed .invalid. The backup must verify, and its Parquet file must be
// about the size of its data.
func TestBackupLargeEmailBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 72 MB of email bodies")
	}
	sim := startTenant(t, halosim.Options{Dataset: "demo", Seed: 1})
	const bodyBytes = 8 << 20
	k, _ := catalog.Lookup("emailtemplate")
	c, err := halo.New(halo.Config{URL: sim.url, ClientID: sim.id, ClientSecret: sim.secret, Rate: halo.Unlimited})
	if err != nil {
		t.Fatal(err)
	}
	templates := sim.Records("emailtemplate")
	if len(templates) != 9 {
		t.Fatalf("the demo tenant has %d email templates, want 9", len(templates))
	}
	for i, r := range templates {
		para := fmt.Sprintf("<p>Dear {{user}}, ticket {{id}} was updated (template %d).</p>\n", i)
		body := strings.Repeat(para, bodyBytes/len(para)+1)[:bodyBytes]
		if _, err := c.Post(context.Background(), k, snapshot.Record{"id": r["id"], "body_html": body}); err != nil {
			t.Fatalf("seeding email template %s: %v", r.ID(), err)
		}
	}

	root := t.TempDir()
	setClock(t, time.Date(2026, 11, 27, 3, 15, 0, 0, time.UTC))
	r := runCLI(context.Background(), t, append([]string{"--log-format", "json", "backup", "--root", root, "--format", "json,parquet"}, sim.flags()...)...)
	if r.code != 0 {
		t.Fatalf("backup: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	dir := filepath.Join(root, snapshotNames(t, root)[0])
	if s := summary(t, r.stderr); s["verified"] != true || s["dir"] != dir || dir != filepath.Join(root, "20261127T031500Z") {
		t.Errorf("summary %v", s)
	}

	r = runCLI(context.Background(), t, "verify", dir)
	if r.code != 0 || !strings.Contains(r.stdout, dir+": ok:") || !strings.Contains(r.stdout, "formats json,parquet") {
		t.Errorf("verify: exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	st, err := os.Stat(filepath.Join(dir, "parquet", "emailtemplate.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	if text := int64(9 * bodyBytes); st.Size() > text {
		t.Errorf("parquet/emailtemplate.parquet has %d bytes for %d bytes of email bodies", st.Size(), text)
	}
}
