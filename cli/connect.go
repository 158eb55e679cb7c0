package cli

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/halocfg/halocfg/halo"
	"github.com/halocfg/halocfg/snapshot"
	"github.com/urfave/cli/v2"
)

// tenantFlags are the flags that reach one Halo tenant. prefix is "" for the
// single tenant of export and backup, or "source"/"target" for migrate; the
// environment variables follow (HALO_URL, HALO_SOURCE_URL, ...).
func tenantFlags(prefix string) []cli.Flag {
	name := func(n string) string {
		if prefix == "" {
			return n
		}
		return prefix + "-" + n
	}
	envVar := func(n string) []string {
		if prefix == "" {
			return []string{"HALO_" + n}
		}
		return []string{"HALO_" + strings.ToUpper(prefix) + "_" + n}
	}
	who := "the tenant"
	if prefix != "" {
		who = "the " + prefix + " tenant"
	}
	return []cli.Flag{
		&cli.StringFlag{Name: name("url"), EnvVars: envVar("URL"), Usage: "base URL of " + who + ", e.g. https://acme.halopsa.com"},
		&cli.StringFlag{Name: name("client-id"), EnvVars: envVar("CLIENT_ID"), Usage: "API application client id"},
		&cli.StringFlag{Name: name("client-secret"), EnvVars: envVar("CLIENT_SECRET"), Usage: "API application client secret (prefer the environment or --" + name("client-secret-file") + ")"},
		&cli.StringFlag{Name: name("client-secret-file"), EnvVars: envVar("CLIENT_SECRET_FILE"), Usage: "file holding the client secret"},
		&cli.StringFlag{Name: name("tenant"), EnvVars: envVar("TENANT"), Usage: "tenant name, for hosted Halo"},
		&cli.StringFlag{Name: name("auth-url"), EnvVars: envVar("AUTH_URL"), Usage: "authorisation server URL (default: discovered through /api/authinfo)"},
		&cli.StringFlag{Name: name("rate"), EnvVars: envVar("RATE"), Value: halo.DefaultRate.String(), Usage: "request budget per rolling window, e.g. 250/5m"},
		&cli.IntFlag{Name: name("concurrency"), EnvVars: envVar("CONCURRENCY"), Value: 4, Usage: "requests in flight at once"},
	}
}

// tenantConfig builds a client configuration from the flags of tenantFlags(prefix).
func tenantConfig(c *cli.Context, e *env, prefix string) (halo.Config, error) {
	name := func(n string) string {
		if prefix == "" {
			return n
		}
		return prefix + "-" + n
	}
	cfg := halo.Config{
		URL:          c.String(name("url")),
		ClientID:     c.String(name("client-id")),
		ClientSecret: c.String(name("client-secret")),
		Tenant:       c.String(name("tenant")),
		AuthURL:      c.String(name("auth-url")),
		Concurrency:  c.Int(name("concurrency")),
		Logger:       e.log,
		UserAgent:    "halocfg/" + Version,
	}
	if cfg.URL == "" {
		return cfg, usageError{fmt.Errorf("--%s (or $%s) is required", name("url"), envName(prefix, "URL"))}
	}
	if file := c.String(name("client-secret-file")); file != "" {
		if cfg.ClientSecret != "" {
			return cfg, usageError{fmt.Errorf("give the client secret once: --%s or --%s", name("client-secret"), name("client-secret-file"))}
		}
		secret, err := readSecret(e, file)
		if err != nil {
			return cfg, usageError{fmt.Errorf("--%s: %w", name("client-secret-file"), err)}
		}
		cfg.ClientSecret = secret
	}
	if cfg.ClientID == "" || cfg.ClientSecret == "" {
		return cfg, usageError{fmt.Errorf("--%s and a client secret (--%s, --%s or $%s) are required",
			name("client-id"), name("client-secret"), name("client-secret-file"), envName(prefix, "CLIENT_SECRET"))}
	}
	if cfg.Concurrency < 1 || cfg.Concurrency > halo.MaxConcurrency {
		return cfg, usageError{fmt.Errorf("--%s %d: want 1 to %d", name("concurrency"), cfg.Concurrency, halo.MaxConcurrency)}
	}
	rateText := c.String(name("rate"))
	if strings.TrimSpace(rateText) == "" { // an empty $HALO_RATE is no rate given
		rateText = halo.DefaultRate.String()
	}
	rate, err := halo.ParseRate(rateText)
	if err != nil {
		return cfg, usageError{fmt.Errorf("--%s: %w", name("rate"), err)}
	}
	cfg.Rate = rate
	// Whatever else the client refuses (a plain http:// URL to a remote host
	// ...) is a usage error too, found before anything runs.
	if _, err := halo.New(cfg); err != nil {
		return cfg, usageError{err}
	}
	return cfg, nil
}

// maxSecretBytes bounds a client secret file: a secret is a few dozen
// characters.
const maxSecretBytes = 4 << 10

// readSecret reads a client secret file: a regular file (a link the user
// named is followed; /dev/zero or a FIFO is refused, never read) of at most
// maxSecretBytes. A file others may read is used, with a warning that
// names the file and its mode, never the secret.
func readSecret(e *env, file string) (string, error) {
	b, err := snapshot.ReadRegular(file, maxSecretBytes)
	if err != nil {
		return "", err
	}
	if info, err := os.Stat(file); err == nil && info.Mode().Perm()&0o077 != 0 {
		e.log.Warn("the client secret file is readable by group or others; chmod 600 it",
			"file", file, "mode", fmt.Sprintf("%04o", info.Mode().Perm()))
	}
	return strings.TrimSpace(string(b)), nil
}

func envName(prefix, n string) string {
	if prefix == "" {
		return "HALO_" + n
	}
	return "HALO_" + strings.ToUpper(prefix) + "_" + n
}

// connect makes a client and authenticates at once, so that a wrong URL,
// an unreachable host or refused credentials are reported as such, not as
// the failure of whichever request happened to run first.
func connect(ctx context.Context, cfg halo.Config) (*halo.Client, error) {
	client, err := halo.New(cfg)
	if err != nil {
		return nil, err
	}
	if err := client.Authenticate(ctx); err != nil {
		return nil, err
	}
	return client, nil
}
