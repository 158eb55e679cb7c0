// Package halosim is a simulated HaloPSA tenant: an http.Handler serving the
// ticket-configuration API the way Halo does (see DESIGN.md "Halo API
// facts"): client-credentials auth, summaries in lists and full records in
// details, hidden records behind list flags, a 100-row page cap, bare and
// wrapped list shapes, strict array writes, a rolling-window rate limit with
// Halo's 429 text, and injectable latency and faults.
//
// Simplifications, chosen where Halo's behaviour is unknown:
//   - A token requested without the scope "all" is issued but gets 401 on
//     every call, as Halo's do.
//   - Unknown fields of a written record are stored and served back as given.
//   - *_guid and *_name partners and nested owner back-references are
//     derived when a record is served, so they always follow their targets.
//   - Deleting a record leaves references to it dangling.
//   - Without includedetails=true (and includeconfig=true for ticket types)
//     a detail GET leaves out the record's array fields.
package halosim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// Options configure a simulated tenant. The zero value is the demo dataset
// with no limits, latency or faults.
type Options struct {
	// Dataset is "demo" (a source MSP; the default), "demo-target" (another
	// tenant: partly overlapping configuration, different ids and guids),
	// "scale:N" (N records of every kind) or "empty".
	Dataset string
	Seed    int64 // same options give byte-identical records

	// Credentials the token endpoint accepts; New fills ClientID and
	// ClientSecret when empty. When Tenant is set, token requests must carry
	// ?tenant=Tenant, as on hosted Halo.
	ClientID, ClientSecret, Tenant string

	RateLimit  int           // API requests per RateWindow; 0 is unlimited
	RateWindow time.Duration // rolling window; default 5m
	RetryAfter bool          // send Retry-After on 429 (Halo does not)

	Latency time.Duration // added to every API request
	// FaultRate is the fraction of API requests that fail before anything
	// is applied: half are answered 500, 502 or 503, half are dropped
	// (connection closed without a response).
	FaultRate float64
	// LostAnswers is the fraction of POSTs that are applied and then lose
	// their answer: the connection is closed instead, as when the network
	// drops it after the server saved the write.
	LostAnswers float64
	FaultSeed   int64 // seeds the draws of FaultRate and LostAnswers

	TokenTTL time.Duration // expires_in of issued tokens; default 1h

	// Deviate makes the tenant differ from what halocfg's catalog assumes,
	// for halocfg probe to find: "NAME:KIND" or "NAME:KIND=ARG", as
	// DeviationHelp lists them.
	Deviate []string
}

// Stats counts what a tenant served. Requests counts every API request
// (everything under /api except authinfo), whatever its answer.
type Stats struct {
	Requests    int
	ByMethod    map[string]int
	ListPages   int // list responses sent
	Details     int // detail responses sent
	Writes      int // POST elements applied
	Deletes     int
	RateLimited int // 429s
	Faults      int // injected 5xx and dropped connections
	LostAnswers int // POSTs applied whose answer was dropped (LostAnswers, DropWriteResponse)
	Tokens      int // tokens issued
}

// Tenant is a simulated Halo tenant. It is safe for concurrent use.
type Tenant struct {
	clientID, secret, tenant string
	tenantID                 string
	now                      func() time.Time // tests move time forward

	mu      sync.RWMutex // guards data, idRand and rowID
	data    map[string]*table
	people  map[string][]snapshot.Record // list rows of pair-only kinds; never written
	rowID   int64                        // the last id given to a numbered row (numberRows)
	idRand  *mrand.Rand
	onWrite func(kind string, rec snapshot.Record)
	dev     deviations

	cmu        sync.Mutex // guards everything below
	rateLimit  int
	rateWindow time.Duration
	retryAfter bool
	latency    time.Duration
	faultRate  float64
	faults     *mrand.Rand
	lostRate   float64
	lost       *mrand.Rand // its own draws: turning one fault on leaves the other's sequence alone
	tokenTTL   time.Duration
	tokens     map[string]token
	recent     []time.Time // accepted API requests within the window
	stats      Stats
	dropWrite  int // POSTs to apply until one's response is dropped; 0: none
}

type token struct {
	expires time.Time
	scoped  bool // asked for scope "all"
}

// New builds a tenant holding the dataset o names.
func New(o Options) (*Tenant, error) {
	recs, people, err := dataset(o.Dataset, o.Seed)
	if err != nil {
		return nil, err
	}
	dev, err := parseDeviations(o.Deviate, recs)
	if err != nil {
		return nil, err
	}
	t := &Tenant{
		clientID: o.ClientID, secret: o.ClientSecret, tenant: o.Tenant,
		now:        time.Now,
		data:       map[string]*table{},
		dev:        dev,
		people:     people,
		idRand:     newRand(o.Seed, "writes"),
		rateLimit:  o.RateLimit,
		rateWindow: o.RateWindow,
		retryAfter: o.RetryAfter,
		latency:    o.Latency,
		faultRate:  o.FaultRate,
		faults:     newRand(o.FaultSeed, "faults"),
		lostRate:   o.LostAnswers,
		lost:       newRand(o.FaultSeed, "lost answers"),
		tokenTTL:   o.TokenTTL,
		tokens:     map[string]token{},
		stats:      Stats{ByMethod: map[string]int{}},
	}
	if t.clientID == "" {
		t.clientID = "halosim-" + randomHex(4)
	}
	if t.secret == "" {
		t.secret = randomHex(24)
	}
	if t.rateWindow <= 0 {
		t.rateWindow = 5 * time.Minute
	}
	if t.tokenTTL <= 0 {
		t.tokenTTL = time.Hour
	}
	t.tenantID = uuid(newRand(o.Seed, "tenant", o.Dataset, o.Tenant))
	for _, k := range catalog.Kinds() {
		t.data[k.Name] = newTable(k, recs[k.Name])
		for _, r := range recs[k.Name] {
			eachNumberedRow(k, r, func(_ map[string]any, _ string, id int64) { t.rowID = max(t.rowID, id) })
		}
	}
	return t, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// Credentials returns what a client needs to get a token.
func (t *Tenant) Credentials() (clientID, secret, tenant string) {
	return t.clientID, t.secret, t.tenant
}

// Records returns deep copies of the full records of a kind, exactly as a
// detail GET with the kind's DetailQuery serves them, sorted by id.
func (t *Tenant) Records(kind string) []snapshot.Record {
	t.mu.RLock()
	defer t.mu.RUnlock()
	tb, ok := t.data[kind]
	if !ok {
		return nil
	}
	out := make([]snapshot.Record, 0, len(tb.ids))
	for _, id := range tb.ids {
		out = append(out, t.view(tb, tb.byID[id]))
	}
	return out
}

// AllRecords returns Records of every kind, keyed by kind name.
func (t *Tenant) AllRecords() map[string][]snapshot.Record {
	out := map[string][]snapshot.Record{}
	for _, k := range catalog.Kinds() {
		out[k.Name] = t.Records(k.Name)
	}
	return out
}

// Stats returns a copy of the counters.
func (t *Tenant) Stats() Stats {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	s := t.stats
	s.ByMethod = make(map[string]int, len(t.stats.ByMethod))
	for m, n := range t.stats.ByMethod {
		s.ByMethod[m] = n
	}
	return s
}

// ResetStats zeroes the counters.
func (t *Tenant) ResetStats() {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	t.stats = Stats{ByMethod: map[string]int{}}
}

// SetFaults changes the fraction of API requests that fail.
func (t *Tenant) SetFaults(rate float64) {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	t.faultRate = rate
}

// SetLostAnswers changes the fraction of POSTs applied whose answer is dropped.
func (t *Tenant) SetLostAnswers(rate float64) {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	t.lostRate = rate
}

// SetLatency changes the delay added to every API request.
func (t *Tenant) SetLatency(d time.Duration) {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	t.latency = d
}

// SetRateLimit changes the limit: n requests per rolling window (n 0: none).
func (t *Tenant) SetRateLimit(n int, window time.Duration) {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	t.rateLimit = n
	if window > 0 {
		t.rateWindow = window
	}
	t.recent = nil
}

// OnWrite sets a hook called with each record a POST applied (as it will be
// served), after it is applied and before the response is sent.
func (t *Tenant) OnWrite(fn func(kind string, rec snapshot.Record)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.onWrite = fn
}

// DropWriteResponse makes the n-th POST from now (1: the next) apply its
// writes and then close the connection without answering, as a response
// lost in the network would. n <= 0 cancels.
func (t *Tenant) DropWriteResponse(n int) {
	t.cmu.Lock()
	defer t.cmu.Unlock()
	t.dropWrite = max(n, 0)
}

// Serve listens on addr (a loopback "host:port"; port 0 picks a free one)
// and serves a new tenant until ctx ends or stop is called. url is the base
// URL clients use.
func Serve(ctx context.Context, addr string, o Options) (t *Tenant, url string, stop func(), err error) {
	t, err = New(o)
	if err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", nil, fmt.Errorf("simulated tenant: %w", err)
	}
	srv := &http.Server{Handler: t, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	stopped := context.AfterFunc(ctx, func() { srv.Close() })
	stop = func() {
		stopped()
		srv.Close()
	}
	return t, "http://" + ln.Addr().String(), stop, nil
}
