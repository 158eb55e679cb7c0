package halo

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer collects log output from concurrent goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestSecretsStayOut runs auth failures, refreshes, retries, echoing servers
// and successes with debug logging on, and checks that neither the client
// secret nor any token shows in a log line or an error.
func TestSecretsStayOut(t *testing.T) {
	var logs lockedBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := &script{steps: []string{"503", "429", "drop"}}
	var tn *tenant
	tn = newTenant(t, func(w http.ResponseWriter, r *http.Request) {
		bearer := r.Header.Get("Authorization")
		switch {
		case r.URL.Path == "/api/Status/revoke":
			tn.revoke()
			writeRaw(w, 200, record(1))
		case r.URL.Path == "/api/Status/echo400":
			http.Error(w, "bad request from "+bearer+" with "+tn.secret, http.StatusBadRequest)
		case r.URL.Path == "/api/Status/echo200":
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>"+bearer+"</html>")
		case r.Method == http.MethodPost:
			http.Error(w, "failed for "+bearer, http.StatusInternalServerError)
		default:
			s.serve(w, r)
		}
	})
	withLog := func(c *Config) { c.Logger = logger }
	ctx := context.Background()
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	bad := tn.client(t, withLog, func(c *Config) { c.ClientSecret = tn.secret + "-old" })
	_, err := bad.Get(ctx, kind(t, "status"), "12")
	keep(err)

	c := tn.client(t, withLog, noKeepAlive)
	st := kind(t, "status")
	_, err = c.Get(ctx, st, "12") // three failures, then the record
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"revoke", "12", "echo400", "echo200"} {
		_, err := c.Get(ctx, st, id)
		keep(err)
	}
	_, err = c.Post(ctx, st, decoded(t, `{"name":"x"}`))
	keep(err)

	secrets := append([]string{tn.secret, tn.secret + "-old"}, tn.tokens()...)
	if len(secrets) < 4 {
		t.Fatalf("only %d tokens issued; the run did not refresh", len(secrets)-2)
	}
	if len(errs) != 4 {
		t.Fatalf("%d errors, want 4 (bad secret, two echoes, POST): %v", len(errs), errs)
	}
	out := logs.String()
	for _, want := range []string{"level=DEBUG msg=\"halo: request\"", "level=WARN msg=\"halo: retrying\"", "token refused", "status=503", "status=429", "closed the connection"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q: the run did not go as planned", want)
		}
	}
	for _, secret := range secrets {
		if strings.Contains(out, secret) {
			t.Errorf("the log holds a secret: %q", secret)
		}
		for _, err := range errs {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q holds a secret", err)
			}
		}
	}
	for _, err := range errs[1:3] {
		if !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("error %q: the echoed secret should be replaced", err)
		}
	}
}
