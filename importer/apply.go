package importer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/halo"
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
		if err := p.SavePairs(opt.Ledger); err != nil {
			return done, err
		}
	}

	var patches []Action
	for _, a := range p.Actions {
		if a.Op != Create {
			continue
		}
		k := catalog.MustLookup(a.Kind)
		body, pending, probs := p.mapper.Rewrite(k, p.src.ByID(k.Name, a.SourceID), "")
		if len(probs) > 0 {
			return done, probs[0]
		}
		rows := ownRowsOnly(k, pending)
		for _, f := range withPartners(k, a.Deferred) {
			if !rows[f] {
				delete(body, f)
			}
		}
		saved, err := p.post(ctx, dst, k, a, body, &done, log, func(ctx context.Context) (snapshot.Record, error) {
			return p.findCreated(ctx, dst, k, a.Key, body)
		})
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
		if err := p.send(ctx, dst, k, a, a.Deferred, &done, log); err != nil {
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
		if err := p.send(ctx, dst, k, a, fields, &done, log); err != nil {
			return done, fmt.Errorf("updating %s %q (%s): %w", k.Name, a.Key, strings.Join(fields, ", "), err)
		}
		done.Update++
		log.Debug("updated", "kind", k.Name, "key", a.Key, "target_id", a.TargetID, "fields", strings.Join(fields, ","))
		step()
		if err := p.patchOwnRows(ctx, dst, k, a, &done, log); err != nil {
			return done, err
		}
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

// patchOwnRows sends again the fields of a record just updated whose
// references to rows of the record itself pointed at rows the update added
// (Rewrite left them empty): now that the target numbered those rows they
// resolve.
func (p *Plan) patchOwnRows(ctx context.Context, dst Target, k *catalog.Kind, a Action, done *Summary, log *slog.Logger) error {
	if !slices.ContainsFunc(k.Refs, func(r catalog.Ref) bool { return r.Row != "" && r.In == "" }) {
		return nil
	}
	want, err := p.rewrite(k, a.SourceID, a.TargetID)
	if err != nil {
		return err
	}
	fields := changedFields(k, want, p.dst.ByID(k.Name, a.TargetID), nil)
	if len(fields) == 0 {
		return nil
	}
	if err := p.send(ctx, dst, k, a, fields, done, log); err != nil {
		return fmt.Errorf("patching %s %q (%s): %w", k.Name, a.Key, strings.Join(fields, ", "), err)
	}
	done.Patch++
	log.Debug("patched", "kind", k.Name, "key", a.Key, "target_id", a.TargetID, "fields", strings.Join(fields, ","))
	return nil
}

// ownRowsOnly returns the top-level fields whose pending references all
// point at rows of the record itself (Pending.OwnRow): Rewrite emptied
// them, so the create carries the field, rows and all, and the patch after
// it sets them to the rows the target numbered.
func ownRowsOnly(k *catalog.Kind, pending []mapping.Pending) map[string]bool {
	out := map[string]bool{}
	for _, pd := range pending {
		own := pd.OwnRow(k)
		if _, seen := out[pd.Top()]; !seen || !own {
			out[pd.Top()] = own
		}
	}
	return out
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
func (p *Plan) send(ctx context.Context, dst Target, k *catalog.Kind, a Action, fields []string, done *Summary, log *slog.Logger) error {
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
	saved, err := p.post(ctx, dst, k, a, body, done, log, func(ctx context.Context) (snapshot.Record, error) {
		return findUpdated(ctx, dst, k, a.TargetID, body)
	})
	if err != nil {
		return err
	}
	if saved.ID() != a.TargetID {
		return fmt.Errorf("the answer is for id %q, want %q", saved.ID(), a.TargetID)
	}
	p.dst.Put(k.Name, saved)
	return nil
}

// maxSends bounds how often one write is sent when its answers keep being
// lost and the target shows each time that it was not applied.
const maxSends = 5

// post sends one write. When its answer is lost (halo.ErrMaybeApplied: the
// connection dropped, or a 5xx, after the request went out), applied reads
// the target to find out what happened: it returns the record as the write
// left it, or nil when the write certainly was not applied, and then the
// write is sent again. A run so finishes its writes however many answers
// the network loses, without writing anything twice.
func (p *Plan) post(ctx context.Context, dst Target, k *catalog.Kind, a Action, body snapshot.Record, done *Summary, log *slog.Logger,
	applied func(context.Context) (snapshot.Record, error)) (snapshot.Record, error) {
	for sends := 1; ; sends++ {
		saved, err := dst.Post(ctx, k, body)
		if err == nil || !errors.Is(err, halo.ErrMaybeApplied) || ctx.Err() != nil {
			return saved, err
		}
		done.Lost++
		rec, rerr := applied(ctx)
		switch {
		case rerr != nil:
			return nil, fmt.Errorf("%w; reading the target to find out failed too: %w", err, rerr)
		case rec != nil:
			log.Info("a write's answer was lost; the target shows it applied", "kind", k.Name, "key", a.Key, "target_id", rec.ID())
			return rec, nil
		case sends >= maxSends:
			return nil, fmt.Errorf("%w (%d answers lost in a row; the target shows it not applied)", err, sends)
		}
		done.Resent++
		log.Info("a write's answer was lost; the target shows it not applied: sending it again", "kind", k.Name, "key", a.Key, "cause", err.Error())
	}
}

// findCreated finds the record a create whose answer was lost made, or
// returns nil when it made none: among the target's records that are new
// since the plan (neither read then nor created since), the one with the
// guid the create sent (a create keeps the source's guid when it is free),
// else the one with its natural key and, when several have it, the values
// it wrote. The full record is read back.
func (p *Plan) findCreated(ctx context.Context, dst Target, k *catalog.Kind, key string, body snapshot.Record) (snapshot.Record, error) {
	rows, err := dst.List(ctx, k)
	if err != nil {
		return nil, err
	}
	var fresh []snapshot.Record
	for _, r := range rows {
		if p.dst.ByID(k.Name, r.ID()) == nil {
			fresh = append(fresh, r)
		}
	}
	tn := mapping.NewTenant(map[string][]snapshot.Record{k.Name: fresh})
	found := tn.ByGUID(k.Name, snapshot.Scalar(body["guid"]))
	if len(found) == 0 {
		found = tn.ByKey(k.Name, key)
	}
	if len(found) > 1 { // the written values tell them apart
		var same []snapshot.Record
		cb := mapping.Comparable(k, body)
		for _, r := range found {
			agrees := true
			for f, v := range mapping.Comparable(k, r) { // a list row: the fields it shows
				if bv, sent := cb[f]; sent && f != "id" && f != "guid" && !snapshot.Equal(v, bv) {
					agrees = false
				}
			}
			if agrees {
				same = append(same, r)
			}
		}
		found = same
	}
	switch len(found) {
	case 0:
		return nil, nil
	case 1:
		rec, err := dst.Get(ctx, k, found[0].ID())
		if err == nil && rec.ID() != found[0].ID() {
			err = fmt.Errorf("%s %s: the detail request returned id %q", k.Name, found[0].ID(), rec.ID())
		}
		return rec, err
	}
	ids := make([]string, len(found))
	for i, r := range found {
		ids[i] = r.ID()
	}
	return nil, fmt.Errorf("%d new %s records (%s) have its natural key %q and its values: check which one it made", len(found), k.Name, strings.Join(ids, ", "), key)
}

// findUpdated reads the target record an update or patch whose answer was
// lost was sent to: the record when it holds every value the write sent
// (it was applied), nil when not.
func findUpdated(ctx context.Context, dst Target, k *catalog.Kind, id string, body snapshot.Record) (snapshot.Record, error) {
	rec, err := dst.Get(ctx, k, id)
	if err != nil {
		return nil, err
	}
	if len(changedFields(k, body, rec, nil)) > 0 {
		return nil, nil
	}
	return rec, nil
}
