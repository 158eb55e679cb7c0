package halosim

import (
	"net/http"
	"testing"

	"github.com/halocfg/halocfg/catalog"
)

// BenchmarkExportCycle lists every kind of the demo tenant and fetches
// every detail, as an export does, over loopback HTTP.
func BenchmarkExportCycle(b *testing.B) {
	s := newSim(b, Options{Dataset: "demo", Seed: 1})
	requests := 0
	for b.Loop() {
		requests = 0
		for _, k := range catalog.Kinds() {
			for _, r := range s.listAll(k) {
				if code, _ := s.get("/api" + k.Endpoint + "/" + r.ID() + "?" + k.DetailQuery); code != http.StatusOK {
					b.Fatalf("%s %s: %d", k.Name, r.ID(), code)
				}
				requests++
			}
			requests++
		}
	}
	b.ReportMetric(float64(requests), "requests/op")
}

// BenchmarkNewScale measures building a scale tenant.
func BenchmarkNewScale(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{Dataset: "scale:500", Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
