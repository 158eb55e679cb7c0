package importer

import (
	"context"
	"testing"
)

// BenchmarkImport imports a source into a fresh target per iteration and
// reports what it wrote: write requests are creates + changed updates +
// patches (one per record created without its cycle-closing fields), and
// the server agrees. records_on_cycles is what patching every record on a
// cycle would cost; patches and deferred_fields are what Schedule chose.
func BenchmarkImport(b *testing.B) {
	cases := []struct{ name, source, target string }{
		{"demo", "demo", "demo-target"},
		{"demo-into-empty", "demo", "empty"},
		{"scale-200", "scale:200", "demo-target"}, // 2,200 records, none of them in the target
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			snap := exportSim(b, startSim(b, c.source, 1))
			var p *Plan
			var done Summary
			var applied int
			for b.Loop() {
				b.StopTimer()
				dst := startSim(b, c.target, 1)
				b.StartTimer()
				var err error
				p, done, err = importInto(context.Background(), snap, dst, keep, nil)
				skipIfSimZeroIDs(b, err)
				if err != nil {
					b.Fatal(err)
				}
				applied = dst.tenant.Stats().Writes
			}
			if applied != done.Writes() || done.Writes() != done.Create+done.Update+done.Patch {
				b.Fatalf("server applied %d writes, Apply sent %d = %d creates + %d updates + %d patches", applied, done.Writes(), done.Create, done.Update, done.Patch)
			}
			b.ReportMetric(float64(done.Writes()), "writes/op")
			b.ReportMetric(float64(done.Create), "creates/op")
			b.ReportMetric(float64(done.Update), "updates/op")
			b.ReportMetric(float64(done.Patch), "patches/op")
			b.ReportMetric(float64(done.DeferredFields), "deferred_fields/op")
			b.ReportMetric(float64(p.OnCycles), "records_on_cycles/op")
			b.Logf("%s -> %s: %d writes = %d creates + %d updates + %d patches (%d cycle-closing fields deferred; %d created records lie on a cycle); %d unchanged",
				c.source, c.target, done.Writes(), done.Create, done.Update, done.Patch, done.DeferredFields, p.OnCycles, p.Summary.Unchanged)
		})
	}
}
