package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/mapping"
	"github.com/halocfg/halocfg/snapshot"
)

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Ledger, when set, receives every pair and is saved after every create.
	Ledger *Ledger
	Log    *slog.Logger
	// Progress, when set, is called after each write with the writes done
	// and the writes planned.
	Progress func(done, total int)
}

// ErrNoID reports a create whose answer carries no usable id.
var ErrNoID = errors.New("the answer has no usable id")

// usableID: Halo's integer ids start at 1; 0 and negatives mean "not saved".
func usableID(k *catalog.Kind, id string) bool {
	if id == "" {
		return false
	}
	if k.StringID {
		return true
	}
	n, err := strconv.ParseInt(id, 10, 64)
	return err == nil && n > 0
}

// ErrProblems refuses to apply a plan that has problems.
var ErrProblems = errors.New("the plan has problems; nothing was written")

// Apply writes the plan to dst: every create in dependency order (a record
// that closes a reference cycle without the closing fields), then one patch
// per such record, then the updates (only the fields that differ), then,
// when the plan prunes and everything before succeeded, the deletes. It
// returns the writes it sent; on an error it stops at once, and running the
// import again (a new plan) finishes the job without duplicates.
func (p *Plan) Apply(ctx context.Context, dst Target, opt ApplyOptions) (Summary, error) {
	var done Summary
	if len(p.Problems) > 0 {
		return done, ErrProblems
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	total := p.Summary.Writes()
	step := func() {
		if opt.Progress != nil {
			opt.Progress(done.Writes(), total)
		}
	}
	if opt.Ledger != nil {
		opt.Ledger.f.Source = p.Source
		if p.recordPairs(opt.Ledger) {
			if err := opt.Ledger.Save(); err != nil {
				return done, err
			}
		}
	}

	var patches []Action
	for _, a := range p.Actions {
		if a.Op != Create {
			continue
		}
		k := catalog.MustLookup(a.Kind)
		body, err := p.rewrite(k, a.SourceID, "")
		if err != nil {
			return done, err
		}
		for _, f := range withPartners(k, a.Deferred) {
			delete(body, f)
		}
		saved, err := dst.Post(ctx, k, body)
		if err != nil {
			return done, fmt.Errorf("creating %s %q: %w", k.Name, a.Key, err)
		}
		id := saved.ID()
		if !usableID(k, id) {
			return done, fmt.Errorf("creating %s %q: %w (%q)", k.Name, a.Key, ErrNoID, id)
		}
		done.Create++
		p.dst.Put(k.Name, saved)
		p.matching.Set(k.Name, a.SourceID, mapping.Pair{TargetID: id, By: "created"})
		if opt.Ledger != nil {
			opt.Ledger.set(k.Name, a.SourceID, id)
			if err := opt.Ledger.Save(); err != nil {
				return done, fmt.Errorf("created %s %q as %s, but %w", k.Name, a.Key, id, err)
			}
		}
		log.Debug("created", "kind", k.Name, "key", a.Key, "source_id", a.SourceID, "target_id", id, "deferred", strings.Join(a.Deferred, ","))
		step()
		if len(a.Deferred) > 0 {
			a.TargetID = id
			patches = append(patches, a)
		}
	}

	for _, a := range patches {
		k := catalog.MustLookup(a.Kind)
		if err := p.send(ctx, dst, k, a, a.Deferred); err != nil {
			return done, fmt.Errorf("patching %s %q (%s): %w", k.Name, a.Key, strings.Join(a.Deferred, ", "), err)
		}
		done.Patch++
		done.DeferredFields += len(a.Deferred)
		log.Debug("patched", "kind", k.Name, "key", a.Key, "target_id", a.TargetID, "fields", strings.Join(a.Deferred, ","))
		step()
	}

	for _, a := range p.Actions {
		if a.Op != Update {
			continue
		}
		k := catalog.MustLookup(a.Kind)
		want, err := p.rewrite(k, a.SourceID, a.TargetID)
		if err != nil {
			return done, err
		}
		// Recomputed now that the records it may point at exist.
		fields := changedFields(k, want, p.dst.ByID(k.Name, a.TargetID), nil)
		if len(fields) == 0 {
			continue
		}
		if err := p.send(ctx, dst, k, a, fields); err != nil {
			return done, fmt.Errorf("updating %s %q (%s): %w", k.Name, a.Key, strings.Join(fields, ", "), err)
		}
		done.Update++
		log.Debug("updated", "kind", k.Name, "key", a.Key, "target_id", a.TargetID, "fields", strings.Join(fields, ","))
		step()
	}

	for _, a := range p.Actions {
		if a.Op != Delete {
			continue
		}
		k := catalog.MustLookup(a.Kind)
		if err := dst.Delete(ctx, k, a.TargetID); err != nil {
			return done, fmt.Errorf("deleting %s %q (%s): %w", k.Name, a.Key, a.TargetID, err)
		}
		done.Delete++
		p.dst.Delete(k.Name, a.TargetID)
		log.Debug("deleted", "kind", k.Name, "key", a.Key, "target_id", a.TargetID)
		step()
	}
	return done, nil
}

// rewrite rewrites a source record for the target; at apply time every
// reference must resolve, the cycle-closing ones included.
func (p *Plan) rewrite(k *catalog.Kind, srcID, targetID string) (snapshot.Record, error) {
	out, pending, probs := p.mapper.Rewrite(k, p.src.ByID(k.Name, srcID), targetID)
	if len(probs) > 0 {
		return nil, probs[0]
	}
	if targetID != "" && len(pending) > 0 {
		return nil, fmt.Errorf("%s %s: %s still points at %s, which was not created", k.Name, srcID, pending[0].Field, pending[0].To)
	}
	return out, nil
}

// send posts fields of a source record (and their partners) to the target
// record a.TargetID, and stores the answer.
func (p *Plan) send(ctx context.Context, dst Target, k *catalog.Kind, a Action, fields []string) error {
	want, err := p.rewrite(k, a.SourceID, a.TargetID)
	if err != nil {
		return err
	}
	body := snapshot.Record{"id": want["id"]}
	for _, f := range withPartners(k, fields) {
		if v, ok := want[f]; ok {
			body[f] = v
		}
	}
	saved, err := dst.Post(ctx, k, body)
	if err != nil {
		return err
	}
	if saved.ID() != a.TargetID {
		return fmt.Errorf("the answer is for id %q, want %q", saved.ID(), a.TargetID)
	}
	p.dst.Put(k.Name, saved)
	return nil
}

// recordPairs puts every pair of the plan into the ledger and reports
// whether that changed it.
func (p *Plan) recordPairs(l *Ledger) bool {
	changed := false
	for kind, ids := range p.matching.IDs() {
		for src, tgt := range ids {
			if l.set(kind, src, tgt) {
				changed = true
			}
		}
	}
	return changed
}
