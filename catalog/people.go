package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// pairOnly are the people and organisation records the configuration
// points at: agents, teams, roles, departments, mailboxes, clients, sites.
// They are not configuration to copy, and nothing ever writes them. An
// export keeps a small directory of each — the id and the fields of its
// natural keys, nothing else — so that an import, from the snapshot alone,
// pairs the source's records with the target's by natural key and points
// the external references at the target's own. Each is named after the
// external target (Ref.Target) it serves. Keys compare without case.
//
// What the lists answer is read from Halo's API description alone: each
// kind's Unverified (directoryAssumptions, and what its entry adds) is
// checked by halocfg probe.
var pairOnly = []*Kind{
	{
		// probe: includeenabled and includedisabled together list every
		// agent, disabled ones too (Uname rows); whether configuration points
		// at agents only includeapiagents or includeunassigned would list
		Name: "agent", Endpoint: "/Agent", ListKey: "agents",
		ListQuery: "includeenabled=true&includedisabled=true",
		Keep:      []string{"id", "name", "email"},
		Keys:      [][]string{{"email"}, {"name"}},
	},
	{
		// probe: the same for teams (SectionDetail rows)
		Name: "team", Endpoint: "/Team", ListKey: "teams",
		ListQuery: "includeenabled=true&includedisabled=true",
		Keep:      []string{"id", "name"},
	},
	{
		// Halo's API description has no department list: each team's row
		// names its department (probe: department_id and department_name
		// are in the rows). A department without a team is not seen.
		Name: "department", Endpoint: "/Team", ListKey: "teams",
		ListQuery: "includeenabled=true&includedisabled=true",
		Keep:      []string{"id=department_id", "name=department_name"},
	},
	{
		// probe: /Roles lists every role (NHD_Roles rows)
		Name: "role", Endpoint: "/Roles", ListKey: "roles",
		Keep: []string{"id", "name"},
	},
	{
		// probe: a mailbox's name is its address (Mailbox rows)
		Name: "mailbox", Endpoint: "/Mailbox", ListKey: "mailboxes",
		Keep: []string{"id", "name"},
	},
	{
		// Paged (the 100-row cap). probe: includeactive and
		// includeinactive together list every client (Area rows)
		Name: "client", Endpoint: "/Client", ListKey: "clients",
		ListQuery: "includeactive=true&includeinactive=true",
		Keep:      []string{"id", "name"},
	},
	{
		// A site is named within its client: "Main Office" repeats.
		// Paged. probe: the same flags as clients (Site rows)
		Name: "site", Endpoint: "/Site", ListKey: "sites",
		ListQuery:  "includeactive=true&includeinactive=true",
		Keep:       []string{"id", "client_name", "name"},
		NaturalKey: []string{"client_name", "name"},
	},

	// Named lists the configuration points at but halocfg does not copy:
	// each a list in Halo's API description (GET /X, "List of <schema>"),
	// paired by its name unless said otherwise. Keep defaults to the id and
	// the key's fields. probe: each ListKey is a guess (the description
	// gives no answer schema), and so is, where a list has flags, that
	// they list every record.
	{
		// LanguagePack rows; showall=true adds the inactive (active false)
		Name: "language", Endpoint: "/Languages", ListKey: "languages",
		ListQuery: "showall=true",
	},
	{
		// End users (Users rows), paged: keyed by their email address,
		// else by their client and name, as agents are
		Name: "user", Endpoint: "/Users", ListKey: "users",
		ListQuery: "includeactive=true&includeinactive=true",
		Keep:      []string{"id", "name", "emailaddress", "client_name"},
		Keys:      [][]string{{"emailaddress"}, {"client_name", "name"}},
	},
	{
		// ServSite rows, paged; no flag for inactive services is documented
		Name: "service", Endpoint: "/Service", ListKey: "services",
	},
	{
		// Company rows, paged
		Name: "supplier", Endpoint: "/Supplier", ListKey: "suppliers",
		ListQuery: "includeactive=true&includeinactive=true",
	},
	{
		// KBEntry rows, paged
		Name: "kbarticle", Endpoint: "/KBArticle", ListKey: "articles",
		ListQuery: "includeactive=true&includeinactive=true",
	},
	{
		// AnalyzerProfile rows, paged
		Name: "report", Endpoint: "/Report", ListKey: "reports",
	},
	{Name: "pdftemplate", Endpoint: "/PdfTemplate", ListKey: "pdftemplates"}, // PdfTemplate rows
	{Name: "budgettype", Endpoint: "/BudgetType", ListKey: "budgettypes"},    // BudgetType rows
	{
		Name: "appointmenttype", Endpoint: "/BookingType", ListKey: "bookingtypes",
		Unverified: []Assumption{{On: OnTarget, Text: "an appointment type (bookingtype_id, appointmenttype_id, default_appt_type) is a BookingType row"}},
	},
	{
		// The description documents GET /ResourceType without parameters
		// or schema.
		Name: "resourcetype", Endpoint: "/ResourceType", ListKey: "resourcetypes",
		Unverified: []Assumption{{On: OnTarget, Text: "a resource type (defaultresourcetype) is a row of /ResourceType"}},
	},
	{
		// ContractHeader rows, paged: a contract's ref within its client
		Name: "contract", Endpoint: "/ClientContract", ListKey: "contracts",
		ListQuery:  "includeinactive=true",
		NaturalKey: []string{"client_name", "ref"},
	},
	{
		// Contract rows, paged: a supplier contract's ref within its supplier
		Name: "suppliercontract", Endpoint: "/SupplierContract", ListKey: "contracts",
		ListQuery:  "includeinactive=true",
		NaturalKey: []string{"supplier_name", "ref"},
	},
	{Name: "callscript", Endpoint: "/CallScript", ListKey: "scripts"},        // ScriptHeader rows
	{Name: "customtable", Endpoint: "/CustomTable", ListKey: "customtables"}, // CustomTable rows
	{Name: "assettype", Endpoint: "/AssetType", ListKey: "assettypes"},       // Xtype rows
	{
		// Tag rows: a tag is its text
		Name: "tag", Endpoint: "/Tags", ListKey: "tags",
		NaturalKey: []string{"text"},
	},
	{
		// OutboundIntegrationMethod rows, paged: a method's name within
		// its integration
		Name: "integrationmethod", Endpoint: "/CustomIntegrationMethod", ListKey: "methods",
		NaturalKey: []string{"integration_name", "name"},
	},
	{Name: "organisation", Endpoint: "/Organisation", ListKey: "organisations"}, // Organisation rows
	{Name: "faqlist", Endpoint: "/FAQLists", ListKey: "faqlists"},               // FAQListHead rows
	{Name: "databaselookup", Endpoint: "/DatabaseLookup", ListKey: "lookups"},   // PartsLookup rows
	{Name: "certificate", Endpoint: "/Certificate", ListKey: "certificates"},    // Certificate rows
	{Name: "screenlayout", Endpoint: "/ScreenLayout", ListKey: "screenlayouts"}, // ScreenLayout rows
	{Name: "dashboard", Endpoint: "/DashboardLinks", ListKey: "dashboards"},
	{
		// AzureADConnection rows: an outcome's azure_connection is one
		// (its schema says so), and azure_connection_id its id
		Name: "azureconnection", Endpoint: "/azureadconnection", ListKey: "connections",
	},
	{
		// UnameNotification rows: a ticket rule's events[] are copies of
		// them (their schema says so); a template's notification_id is
		// read from its name
		Name: "notification", Endpoint: "/Notification", ListKey: "notifications", ListQuery: "showall=true",
		Unverified: []Assumption{{On: OnTarget, Text: "a template's notification_id is a Notification (UnameNotification) row, as a ticket rule's events[]"}},
	},
	{
		// ReleaseProduct rows, the one list of products in the description
		Name: "product", Endpoint: "/Product", ListKey: "products",
		Unverified: []Assumption{{On: OnTarget, Text: "a product (default_product_id, new_product_id) is a /Product (ReleaseProduct) row"}},
	},
	// Views, each agent's, team's and the global ones (showall=true): names
	// may repeat, and a reference to a repeated one is reported, not guessed.
	{
		Name: "columnprofile", Endpoint: "/ViewColumns", ListKey: "columns", ListQuery: "showall=true",
		Unverified: []Assumption{{On: OnTarget, Text: "a column profile (default_columns_id, childticketcolumnsoverride) is a ViewColumns row"}},
	},
	{
		Name: "filter", Endpoint: "/ViewFilter", ListKey: "filters", ListQuery: "showall=true",
		Unverified: []Assumption{{On: OnTarget, Text: "a ticket area's filters[].filter_id is a ViewFilter row"}},
	},
	{
		// The same list as filter.
		Name: "filterprofile", Endpoint: "/ViewFilter", ListKey: "filters", ListQuery: "showall=true",
		Unverified: []Assumption{{On: OnTarget, Text: "a ticket area's default_filter_id is a ViewFilter row, as its filters[].filter_id"}},
	},
	{
		Name: "viewlist", Endpoint: "/ViewLists", ListKey: "lists", ListQuery: "showall=true",
		Unverified: []Assumption{{On: OnTarget, Text: "a ticket area's filters[].list_id is a ViewLists row"}},
	}, // DashboardLinks rows
}

func init() {
	for _, k := range pairOnly {
		k.PairOnly, k.RefField = true, "id"
		if k.NaturalKey == nil {
			k.NaturalKey = []string{"name"}
		}
		if k.Keep == nil {
			k.Keep = append([]string{"id"}, k.NaturalKey...)
		}
		k.Unverified = append(directoryAssumptions(k), k.Unverified...)
	}
}

// directoryAssumptions are what a pair-only kind's entry assumes of its
// list, read from Halo's API description alone: where its rows are, that
// its flags list every record, and that the rows hold the fields kept.
func directoryAssumptions(k *Kind) []Assumption {
	out := []Assumption{{On: OnListKey, Text: fmt.Sprintf("%s answers a bare array or an object holding %s", k.Endpoint, k.ListKey)}}
	if k.ListQuery != "" {
		out = append(out, Assumption{On: OnListQuery, Text: fmt.Sprintf("%s?%s lists every record, inactive ones too", k.Endpoint, k.ListQuery)})
	}
	var fields []string
	for _, f := range k.Keep {
		_, from, renamed := strings.Cut(f, "=")
		if !renamed {
			from = f
		}
		fields = append(fields, from)
	}
	return append(out, Assumption{On: OnKeep, Text: "the list's rows hold " + strings.Join(fields, ", "), Fields: fields})
}

// PairOnlyKinds returns the pair-only kinds (Kind.PairOnly), in the order
// a snapshot stores them.
func PairOnlyKinds() []*Kind { return pairOnly }

// LookupPairOnly returns the pair-only kind with the given name: the
// external target whose references pairing resolves.
func LookupPairOnly(name string) (*Kind, bool) { return find(pairOnly, name) }

// Stored returns every kind a snapshot may hold: the configuration kinds
// (Kinds), then the directories of the pair-only kinds.
func Stored() []*Kind { return slices.Concat(kinds, pairOnly) }

// LookupStored returns the kind of a snapshot's records with the given
// name, a configuration kind or a pair-only one.
func LookupStored(name string) (*Kind, bool) {
	if k, ok := Lookup(name); ok {
		return k, true
	}
	return LookupPairOnly(name)
}

// PairOnlyFor returns the pair-only kinds the references of ks may point
// at, less those named in skip (an unknown name in skip is an error).
// An export keeps their directories.
func PairOnlyFor(ks []*Kind, skip []string) ([]*Kind, error) {
	for _, n := range skip {
		if _, ok := LookupPairOnly(n); !ok {
			return nil, fmt.Errorf("unknown pair-only kind %q (known: %s)", n, strings.Join(pairOnlyNames(), ", "))
		}
	}
	targets := map[string]bool{}
	for _, k := range ks {
		for _, r := range k.Refs {
			for _, t := range r.Targets() {
				targets[t] = true
			}
		}
	}
	var out []*Kind
	for _, k := range pairOnly {
		if targets[k.Name] && !slices.Contains(skip, k.Name) {
			out = append(out, k)
		}
	}
	return out, nil
}

func pairOnlyNames() []string {
	out := make([]string, len(pairOnly))
	for i, k := range pairOnly {
		out[i] = k.Name
	}
	return out
}

// KeyAlternatives returns the natural keys of k in the order pairing
// tries them: Keys, or NaturalKey alone.
func (k *Kind) KeyAlternatives() [][]string {
	if len(k.Keys) > 0 {
		return k.Keys
	}
	return [][]string{k.NaturalKey}
}

// Project returns the directory entry of a list row of a pair-only kind:
// the fields Keep names, taken from the row (absent ones stay absent). ok
// is false when the entry has no id (a team without a department).
func (k *Kind) Project(row map[string]any) (entry map[string]any, ok bool) {
	entry = map[string]any{}
	for _, f := range k.Keep {
		to, from, renamed := strings.Cut(f, "=")
		if !renamed {
			from = to
		}
		if v, present := row[from]; present {
			entry[to] = v
		}
	}
	_, none, err := Ref{Target: k.Name, External: true}.IDText(entry["id"])
	return entry, err == nil && !none
}

// MustLookupStored is LookupStored for a name the caller knows.
func MustLookupStored(name string) *Kind {
	k, ok := LookupStored(name)
	if !ok {
		panic("catalog: unknown kind " + name)
	}
	return k
}
