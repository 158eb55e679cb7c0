package halosim

import (
	"fmt"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// DeviationHelp lists the deviations Options.Deviate accepts, one a line.
const DeviationHelp = `listkey:KIND=KEY       the list answers {"record_count", KEY: [...]}, not the catalog's ListKey
pagesize:KIND          the list pages but ignores page_size: pages of 50, as without it
hiddenflag:KIND        a third of the records are hidden unless asked with a show flag the catalog does not send for KIND
extrafield:KIND        every record carries linked_item_id, an integer field the schema lacks, named like a reference
missingfield:KIND=FIELD  FIELD is never returned
duppriorityid          a second Policy row has the first priority's priorityid (one row per SLA)
dangling:KIND          every reference of KIND's records that the catalog infers points at an id no record has
forbidden:KIND         KIND's list answers 403 Forbidden, as to an API application without the permission (agents, teams ... too)`

// ExtraField is the field extrafield:KIND adds.
const ExtraField = "linked_item_id"

// danglingID is the id dangling:KIND references point at.
const danglingID = "999999"

// deviations are the parsed Options.Deviate that change how records are
// served; those that change the records themselves are applied by New.
type deviations struct {
	listKey  map[string]string // kind -> the key its wrapped list uses
	pageSize map[string]bool   // kinds whose list ignores page_size
	flag     map[string]string // kind -> the only show parameter that lists its hidden records
	extra    map[string]bool   // kinds whose records carry ExtraField
	missing  map[string]string // kind -> the field left out
	// endpoints whose list answers 403 ("/Team": teams and departments alike)
	forbidden map[string]bool
}

// parseDeviations reads Options.Deviate and applies the deviations that
// change the records to recs.
func parseDeviations(list []string, recs map[string][]snapshot.Record) (deviations, error) {
	d := deviations{listKey: map[string]string{}, pageSize: map[string]bool{}, flag: map[string]string{},
		extra: map[string]bool{}, missing: map[string]string{}, forbidden: map[string]bool{}}
	for _, spec := range list {
		name, rest, _ := strings.Cut(strings.TrimSpace(spec), ":")
		kindName, arg, hasArg := strings.Cut(rest, "=")
		bad := func(why string) error {
			return fmt.Errorf("deviation %q: %s (want one of:\n%s)", spec, why, DeviationHelp)
		}
		if name == "duppriorityid" {
			if rest != "" {
				return d, bad("takes no kind")
			}
			if ps := recs["priority"]; len(ps) > 0 {
				twin := ps[0].Clone() // the same priority in another SLA: another row, the same priorityid
				twin["id"] = uuid(newRand(0, "duppriorityid"))
				if _, ok := twin["guid"]; ok {
					twin["guid"] = uuid(newRand(0, "duppriorityid", "guid"))
				}
				recs["priority"] = append(ps, twin)
				snapshot.SortByID(recs["priority"])
			}
			continue
		}
		if name == "forbidden" {
			k, ok := catalog.LookupStored(kindName)
			if !ok || hasArg {
				return d, bad(fmt.Sprintf("want forbidden:KIND, a kind or a directory (agent, team ...), not %q", rest))
			}
			d.forbidden[k.Endpoint] = true
			continue
		}
		k, ok := catalog.Lookup(kindName)
		if !ok {
			return d, bad(fmt.Sprintf("unknown kind %q", kindName))
		}
		if wantArg := name == "listkey" || name == "missingfield"; wantArg != hasArg || (hasArg && arg == "") {
			return d, bad("wrong argument")
		}
		switch name {
		case "listkey":
			d.listKey[k.Name] = arg
		case "pagesize":
			d.pageSize[k.Name] = true
		case "hiddenflag":
			param, err := hideBehindFlag(k, recs[k.Name])
			if err != nil {
				return d, bad(err.Error())
			}
			d.flag[k.Name] = param
		case "extrafield":
			d.extra[k.Name] = true
		case "missingfield":
			d.missing[k.Name] = arg
		case "dangling":
			for _, rec := range recs[k.Name] {
				for _, sl := range k.Slots(rec) {
					if sl.Ref.Inferred && !sl.External && !sl.Ref.Owner && sl.Ref.Row == "" {
						sl.Set(sl.Value(danglingID))
					}
				}
			}
		default:
			return d, bad("unknown deviation")
		}
	}
	return d, nil
}

// hideBehindFlag hides a third of recs behind the kind's hidden flag (its
// own, keeping the records generated hidden; or the first boolean flag of
// its schema, showing the others) and returns the show
// parameter that lists them: the first of the catalog's list parameters
// that k's ListQuery does not send.
func hideBehindFlag(k *catalog.Kind, recs []snapshot.Record) (string, error) {
	var params []string
	for _, p := range catalog.ShowParams() {
		if !slices.Contains(catalog.TrueParams(k.ListQuery), p) {
			params = append(params, p)
		}
	}
	b := behaviours[k.Name]
	own := b.hiddenField != "" // its records were generated hidden or not
	b.useSchemaFlag(k.Schema)
	if b.hiddenField == "" || len(params) == 0 {
		return "", fmt.Errorf("%s has no hidden flag to hide records behind", k.Name)
	}
	for i, rec := range recs {
		if hide := i%3 == 2; hide || !own { // the generated flag is random: set it
			b.setHidden(rec, hide)
		}
	}
	return params[0], nil
}

// behaviour is k's behaviour on this tenant: behaviours[k], changed by the
// deviations.
func (t *Tenant) behaviour(k *catalog.Kind) behaviour {
	b := behaviours[k.Name]
	if _, ok := t.dev.listKey[k.Name]; ok {
		b.bare = false
	}
	if t.dev.pageSize[k.Name] {
		b.paged = true
	}
	if p, ok := t.dev.flag[k.Name]; ok {
		b.showParams = []string{p}
		b.useSchemaFlag(k.Schema)
	}
	return b
}

// reshape changes a record as served (a list row or a detail) by the
// deviations: a field added or left out.
func (t *Tenant) reshape(k *catalog.Kind, rec snapshot.Record) {
	if t.dev.extra[k.Name] {
		rec[ExtraField] = num(7)
	}
	if f := t.dev.missing[k.Name]; f != "" {
		delete(rec, f)
	}
}
