package cli

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/halocfg/halocfg/formats"
	"github.com/halocfg/halocfg/internal/heaptest"
)

// TestExportHoldsNoSnapshot (issue 12): export held every record of the
// tenant as Go maps before writing a file (4.5 GB at 50,000 records). It
// now writes each record to its kind's JSON file as it comes, holding a
// window of records, and writes the other formats from those files: its
// live heap is a small part of what the snapshot takes when held, and does
// not grow with it. The simulated tenant runs in another process, so that
// its own heap (its records, the answers it builds) is not counted.
func TestExportHoldsNoSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("exports 10,000 records")
	}
	peaks := map[string]uint64{}
	var held uint64
	for _, scale := range []string{"scale:100", "scale:400"} {
		url, id, secret := simProcess(t, scale)
		dir := filepath.Join(t.TempDir(), "snap")
		args := []string{"export", "--out", dir, "--format", "json", "--concurrency", "8",
			"--url", url, "--client-id", id, "--client-secret", secret, "--rate", "0"}
		var r result
		peaks[scale] = heaptest.Peak(func() { r = runCLI(context.Background(), t, args...) })
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", scale, r.code, r.stderr)
		}
		held = heaptest.Held(func() any {
			held, err := formats.Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			return held
		})
		t.Logf("%s: export's peak live heap %d MiB; the snapshot, held: %d MiB", scale, peaks[scale]>>20, held>>20)
	}
	// The peak is noisy (a few large answers decoded at once); the old
	// export held the whole snapshot, more than held at either size.
	if big := peaks["scale:400"]; big > held/8 {
		t.Errorf("export of 8,000 records: peak live heap %d MiB, an eighth of the %d MiB its snapshot takes held or more", big>>20, held>>20)
	}
	if small, big := peaks["scale:100"], peaks["scale:400"]; big > 2*small+16<<20 {
		t.Errorf("peak live heap grew from %d MiB (2,000 records) to %d MiB (8,000): it should not grow with the records", small>>20, big>>20)
	}
}

// simProcess runs `halocfg sim --dataset dataset --rate-limit 0` in a child
// process (this test binary, see TestSimProcess) and returns its URL and
// credentials.
func simProcess(t *testing.T, dataset string) (url, id, secret string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSimProcess$")
	cmd.Env = append(os.Environ(), "HALOCFG_TEST_SIM="+dataset)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	re := regexp.MustCompile(`HALO_URL=(\S+) HALO_CLIENT_ID=(\S+) HALO_CLIENT_SECRET=(\S+)`)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			go func() { // keep the pipe drained
				for sc.Scan() {
				}
			}()
			return m[1], m[2], m[3]
		}
	}
	t.Fatalf("the simulator in a child process printed no URL: %v", sc.Err())
	return
}

// TestSimProcess is the child process of simProcess: the simulator, until killed.
func TestSimProcess(t *testing.T) {
	dataset := os.Getenv("HALOCFG_TEST_SIM")
	if dataset == "" {
		t.Skip("the child process of simProcess")
	}
	r := runCLIOut(os.Stdout, "sim", "--addr", "127.0.0.1:0", "--dataset", dataset, "--rate-limit", "0")
	t.Fatalf("the simulator stopped: exit %d", r)
}

func runCLIOut(stdout *os.File, args ...string) int {
	e := &env{stdout: stdout, stderr: os.Stderr, stdin: strings.NewReader("")}
	return run(context.Background(), e, append([]string{"halocfg"}, args...))
}
