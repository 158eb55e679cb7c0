package cli

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/halosim"
	"github.com/urfave/cli/v2"
)

func simCommand(e *env) *cli.Command {
	return &cli.Command{
		Name:      "sim",
		Usage:     "run a simulated Halo tenant on a loopback address, for trying halocfg out",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8480", Usage: "HOST:PORT to listen on (loopback only; port 0 picks a free one)"},
			&cli.StringFlag{Name: "dataset", Value: "demo", Usage: "demo, demo-target, scale:N or empty"},
			&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of generated values"},
			&cli.StringFlag{Name: "rate-limit", Value: "300/5m", Usage: "the simulated API's own limit per rolling window (0: none)"},
			&cli.DurationFlag{Name: "latency", Usage: "added to every API request"},
			&cli.Float64Flag{Name: "faults", Usage: "fraction of API requests that fail with a 5xx or a dropped connection"},
			&cli.Float64Flag{Name: "lost-answers", Usage: "fraction of writes applied whose answer is then dropped"},
			&cli.Int64Flag{Name: "fault-seed", Usage: "seed of which requests --faults and --lost-answers hit"},
			&cli.DurationFlag{Name: "token-ttl", Value: time.Hour, Usage: "lifetime of issued tokens"},
			&cli.StringSliceFlag{Name: "deviate", Usage: "differ from what halocfg assumes, for halocfg probe to find (repeatable, comma-separated):\n" + halosim.DeviationHelp},
		},
		Action: func(c *cli.Context) error {
			if _, err := positional(c, 0); err != nil {
				return err
			}
			rate, err := halo.ParseRate(c.String("rate-limit"))
			if err != nil {
				return usageError{fmt.Errorf("--rate-limit: %w", err)}
			}
			for _, f := range []string{"faults", "lost-answers"} {
				if x := c.Float64(f); !(x >= 0 && x <= 1) {
					return usageError{fmt.Errorf("--%s %v: want a fraction from 0 to 1", f, x)}
				}
			}
			addr := c.String("addr")
			if err := requireLoopback(addr); err != nil {
				return usageError{err}
			}
			t, err := halosim.New(halosim.Options{
				Dataset: c.String("dataset"), Seed: c.Int64("seed"),
				RateLimit: rate.N, RateWindow: rate.Window,
				Latency: c.Duration("latency"), FaultRate: c.Float64("faults"), LostAnswers: c.Float64("lost-answers"), FaultSeed: c.Int64("fault-seed"), TokenTTL: c.Duration("token-ttl"),
				Deviate: splitList(c.StringSlice("deviate")),
			})
			if err != nil {
				return usageError{err}
			}
			url, wait, err := serve(c.Context, addr, t)
			if err != nil {
				return err
			}
			id, secret, _ := t.Credentials()
			fmt.Fprintf(e.stdout, "simulated Halo tenant (%s) at %s\n\n", c.String("dataset"), url)
			fmt.Fprintf(e.stdout, "  export HALO_URL=%s HALO_CLIENT_ID=%s HALO_CLIENT_SECRET=%s\n", url, id, secret)
			fmt.Fprintf(e.stdout, "  halocfg export --out snapshot\n\nCtrl-C stops it.\n")
			return wait()
		},
	}
}

// serve listens on addr and serves h until ctx ends. It returns the base URL
// and a function that waits for the server to stop.
func serve(ctx context.Context, addr string, h http.Handler) (url string, wait func() error, err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	return "http://" + ln.Addr().String(), func() error {
		if err := <-done; err != http.ErrServerClosed {
			return err
		}
		return nil
	}, nil
}

// requireLoopback refuses to expose the simulator beyond this machine.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--addr %q: the simulator listens on loopback addresses only (127.0.0.1, ::1, localhost)", addr)
}
