package halosim

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/halocfg/halocfg/catalog"
	"github.com/halocfg/halocfg/snapshot"
)

// person is one record of a pair-only kind in a dataset (an agent, a team,
// a language ...): its name (the kind's display field: "name", a tag's
// "text", a contract's "ref") and the other fields of its list row
// ("email"; a team's "department_name", a site's "client_name"). The
// configuration points at every person but the spare ones; a hidden one (a
// disabled agent, an inactive client) is listed only with the list's flags.
type person struct {
	name          string
	set           map[string]any
	spare, hidden bool
}

// peopleUniverse lists the people of a dataset per pair-only kind that has
// its own list (departments come from their teams).
type peopleUniverse map[string][]person

// listing is how the simulated API lists a pair-only kind where it differs
// from the default: an object holding the rows under the catalog's ListKey,
// every row at once, hidden rows marked "inactive": true and listed only
// when every "true" parameter of the catalog's ListQuery is sent.
type listing struct {
	bare, paged bool
	hiddenField string
	hiddenValue any
}

// listings are the pair-only kinds listed otherwise: /Agent, /Team, /Roles,
// /Mailbox, /Languages as bare arrays; the long lists paged.
var listings = map[string]listing{
	"agent":    {bare: true, hiddenField: "isdisabled"},
	"team":     {bare: true},
	"role":     {bare: true},
	"mailbox":  {bare: true},
	"language": {bare: true, hiddenField: "active", hiddenValue: false},
	"client":   {paged: true}, "site": {paged: true}, "user": {paged: true}, "service": {paged: true},
	"supplier": {paged: true}, "kbarticle": {paged: true}, "report": {paged: true},
	"contract": {paged: true}, "suppliercontract": {paged: true}, "integrationmethod": {paged: true},
}

// listingOf is how the simulated API lists k.
func listingOf(k *catalog.Kind) listing {
	l := listings[k.Name]
	if l.hiddenField == "" {
		l.hiddenField, l.hiddenValue = "inactive", true
	}
	if l.hiddenValue == nil {
		l.hiddenValue = true
	}
	return l
}

// demoPeople are the demo MSP's agents, teams, roles, mailboxes, clients,
// sites, and the named lists its configuration points at (languages, end
// users, services, suppliers ...).
func demoPeople() peopleUniverse {
	agent := func(name, email string) person { return person{name: name, set: f{"email": email}} }
	agents := []person{
		agent("Alice Carter", "alice.carter@msp.example"), agent("Ben Hughes", "ben.hughes@msp.example"),
		agent("Chloe Patel", "chloe.patel@msp.example"), agent("Daniel Okafor", "daniel.okafor@msp.example"),
		agent("Emma Schmidt", "emma.schmidt@msp.example"), agent("Farid Haddad", "farid.haddad@msp.example"),
		agent("Grace Lin", "grace.lin@msp.example"), agent("Henry Walsh", "henry.walsh@msp.example"),
		agent("Isla Novak", "isla.novak@msp.example"), agent("Jack Moreno", "jack.moreno@msp.example"),
		agent("Kira Tanaka", "kira.tanaka@msp.example"), agent("Helpdesk Robot", ""), // an API agent: no email
		agent("Liam O'Brien", "liam.obrien@msp.example"), agent("Maya Singh", "maya.singh@msp.example"),
		agent("Noah Fischer", "noah.fischer@msp.example"), agent("Olivia Rossi", "olivia.rossi@msp.example"),
		agent("Pedro Alves", "pedro.alves@msp.example"), agent("Rosa Jensen", "rosa.jensen@msp.example"),
		agent("Sam Kowalski", "sam.kowalski@msp.example"), agent("Tara Nguyen", "tara.nguyen@msp.example"),
		agent("Uma Reddy", "uma.reddy@msp.example"), agent("Victor Dubois", "victor.dubois@msp.example"),
	}
	agents[7].hidden = true                         // Henry Walsh left: disabled, still pointed at
	agents[20].spare, agents[21].spare = true, true // nothing points at them
	team := func(name, dept string) person { return person{name: name, set: f{"department_name": dept}} }
	teams := []person{
		team("Service Desk", "Support"), team("Field Engineers", "Support"), team("Escalations", "Support"),
		team("Projects", "Projects"), team("Change Board", "Projects"),
		team("Network", "Infrastructure"), team("Cloud", "Infrastructure"), team("Security", "Infrastructure"),
		team("Procurement", "Finance"), team("Account Managers", "Sales"), team("Legacy Support", "Support"),
		team("Training", "Internal"),
	}
	teams[10].hidden = true // inactive
	teams[11].spare = true
	clients := named("Acme Ltd", "Bluebird Logistics", "Cedar Health", "Dunmore Legal", "Evergreen Schools",
		"Fjord Shipping", "Granite Builders", "Harbour Dental", "Ironbridge Bank", "Juniper Retail", "Kestrel Energy",
		"Lumen Media", "Maple Foods", "Northwind Traders", "Orchid Spa", "Pinewood Council")
	clients[14].hidden = true // inactive
	var sites []person
	for _, c := range clients[:10] {
		sites = append(sites, person{name: "Main Office", set: f{"client_name": c.name}}) // one name, many clients
	}
	for _, c := range []string{"Bluebird Logistics", "Granite Builders", "Fjord Shipping"} {
		sites = append(sites, person{name: "Warehouse", set: f{"client_name": c}})
	}
	sites = append(sites, person{name: "Old Depot", set: f{"client_name": "Bluebird Logistics"}, hidden: true})
	user := func(name, email, client string) person {
		return person{name: name, set: f{"emailaddress": email, "client_name": client}}
	}
	users := []person{
		user("Tom Baker", "tom.baker@acme.example", "Acme Ltd"), user("Priya Shah", "priya.shah@acme.example", "Acme Ltd"),
		user("Lars Berg", "lars@bluebird.example", "Bluebird Logistics"), user("Nina Costa", "nina.costa@cedarhealth.example", "Cedar Health"),
		user("Reception", "", "Cedar Health"), user("Reception", "", "Dunmore Legal"), // shared mailboxes: no email, keyed within their client
		user("Owen Price", "owen.price@dunmore.example", "Dunmore Legal"), user("Hana Kim", "hana.kim@evergreen.example", "Evergreen Schools"),
		user("Marco Ricci", "marco@fjord.example", "Fjord Shipping"), user("Sophie Martin", "sophie.martin@granite.example", "Granite Builders"),
		user("Aidan Walsh", "aidan.walsh@harbour.example", "Harbour Dental"), user("Former Contact", "former@ironbridge.example", "Ironbridge Bank"),
		user("Zoe Adams", "zoe.adams@juniper.example", "Juniper Retail"),
	}
	users[11].hidden = true // inactive, still pointed at
	users[12].spare = true
	contract := func(client, ref string) person { return person{name: ref, set: f{"client_name": client}} }
	supplierContract := func(supplier, ref string) person { return person{name: ref, set: f{"supplier_name": supplier}} }
	method := func(integration, name string) person {
		return person{name: name, set: f{"integration_name": integration}}
	}
	pu := peopleUniverse{
		"agent": agents, "team": teams, "client": clients, "site": sites, "user": users,
		"role":     named("Administrator", "Service Desk Agent", "Engineer", "Team Lead", "Manager", "Finance", "Approver", "Read Only"),
		"mailbox":  named("support@msp.example", "alerts@msp.example", "projects@msp.example", "billing@msp.example"),
		"language": named("English (UK)", "English (US)", "Deutsch", "Français", "Español", "Nederlands", "Polski", "Italiano"),
		"service": named("Email", "Internet Access", "Microsoft 365", "Backup", "Telephony", "VPN", "Printing",
			"Line of Business Apps", "Website"),
		"supplier": named("Microsoft", "Dell Technologies", "BT Business", "Jira Cloud", "ServiceNow Partner", "Pax8",
			"Ingram Micro", "Old Telecom Co", "Spare Parts Direct"),
		"kbarticle": named("How to reset your password", "Setting up MFA", "VPN troubleshooting", "Printer not responding",
			"New starter checklist", "Mailbox full", "Outdated article"),
		"report": named("Tickets by Client", "SLA Performance", "Open Tickets by Agent", "Time Logged This Month",
			"Customer Satisfaction", "Change Calendar", "Tickets by Client (old)"),
		"pdftemplate":     named("Default Quote", "Default Invoice", "Job Sheet", "Service Report", "Change Request Form"),
		"budgettype":      named("Project Hours", "Support Hours", "Hardware", "Travel"),
		"appointmenttype": named("Onsite Visit", "Remote Session", "Meeting", "Installation"),
		"resourcetype":    named("Meeting Room", "Pool Car", "Loan Laptop", "Projector"),
		"contract": {contract("Acme Ltd", "MSA-001"), contract("Bluebird Logistics", "MSA-002"), contract("Cedar Health", "SUP-2024"),
			contract("Dunmore Legal", "SUP-2024"), contract("Evergreen Schools", "BLOCK-40")}, // one ref, two clients
		"suppliercontract": {supplierContract("Microsoft", "CSP-2024"), supplierContract("Dell Technologies", "PROSUPPORT"),
			supplierContract("BT Business", "LINE-01"), supplierContract("Pax8", "CSP-2024")},
		"callscript":  named("New Caller", "Password Reset Script", "Outage Script"),
		"customtable": named("Asset Loans", "Site Contacts", "Licences"),
		"assettype":   named("Laptop", "Desktop", "Server", "Firewall", "Mobile Phone", "Printer"),
		"tag":         named("vip", "urgent", "hardware", "onboarding", "billing"),
		"integrationmethod": {method("Stripe", "Create Customer"), method("Stripe", "Charge"), method("Webhook Site", "Post Ticket"),
			method("CRM", "Sync Contact"), method("CRM", "Create Customer")},
		"organisation":   named("MSP Group", "MSP North", "MSP South"),
		"faqlist":        named("Getting Started", "Email", "Hardware", "Security"),
		"databaselookup": named("Customer ERP Lookup", "Asset Register", "HR System"),
		"certificate":    named("SQL Server CA", "ERP Client Cert"),
		"screenlayout":   named("Default Layout", "Compact", "Change Layout"),
		"dashboard":      named("Service Desk Overview", "Management", "NOC Wall"),
		"columnprofile":  named("Default Columns", "Service Desk Columns", "Projects Columns", "My Columns"),
		"filter":         named("Open Tickets", "My Team's Tickets", "Unassigned", "Awaiting Customer"), // filterprofile's too
		"viewlist":       named("All Tickets", "Service Desk Queue", "Projects Board", "Escalations"),
	}
	pu["language"][6].hidden = true  // Polski: inactive, still pointed at
	pu["language"][7].spare = true   // Italiano
	pu["service"][8].spare = true    // Website
	pu["supplier"][7].hidden = true  // Old Telecom Co: inactive
	pu["supplier"][8].spare = true   // Spare Parts Direct
	pu["kbarticle"][6].hidden = true // Outdated article: inactive
	pu["report"][6].spare = true     // Tickets by Client (old)
	defaultDirectories(pu)
	return pu
}

// defaultDirectories gives every pair-only kind that has its own list and
// no records in pu four made-up ones ("Dashboard 1" ...; the other key
// fields "client_name 1" ...), so that a kind added to the catalog is
// served, and pointed at, before it is given demo records of its own.
func defaultDirectories(pu peopleUniverse) {
	for _, k := range catalog.PairOnlyKinds() {
		if _, ok := pu[k.Name]; ok || listedWith(k) != k {
			continue
		}
		for i := range 4 {
			p := person{name: fmt.Sprintf("%s%s %d", strings.ToUpper(k.Name[:1]), k.Name[1:], i+1), set: f{}}
			for _, alt := range k.KeyAlternatives() {
				for _, fl := range alt {
					if fl != k.DisplayField() {
						p.set[fl] = fmt.Sprintf("%s %d", fl, i+1)
					}
				}
			}
			pu[k.Name] = append(pu[k.Name], p)
		}
	}
}

// named makes people of the given names and no other fields.
func named(names ...string) []person {
	out := make([]person, len(names))
	for i, n := range names {
		out[i] = person{name: n}
	}
	return out
}

// targetPeople are the same people in another tenant, with a few
// differences that exercise pairing, none of which leaves a reference
// unpaired: an agent and an end user renamed (they pair by email), a
// mailbox address and a supplier in other case, a spare agent and a spare
// language missing, a spare service renamed, and two teams named "Training"
// and two reports named "Tickets by Client (old)".
func targetPeople() peopleUniverse {
	pu := demoPeople()
	pu["agent"] = slices.DeleteFunc(pu["agent"], func(p person) bool { return p.name == "Victor Dubois" })
	rename := func(kind, from, to string) {
		for i := range pu[kind] {
			if pu[kind][i].name == from {
				pu[kind][i].name = to
			}
		}
	}
	rename("agent", "Chloe Patel", "Chloe Patel-Wood")
	rename("user", "Tom Baker", "Thomas Baker")
	rename("service", "Website", "Web Hosting")
	rename("supplier", "Dell Technologies", "DELL TECHNOLOGIES")
	pu["mailbox"][0].name = "Support@MSP.example"
	pu["language"] = slices.DeleteFunc(pu["language"], func(p person) bool { return p.name == "Italiano" })
	pu["team"] = append(pu["team"], person{name: "Training", set: f{"department_name": "Sales"}, spare: true})
	pu["report"] = append(pu["report"], person{name: "Tickets by Client (old)", spare: true})
	return pu
}

// scalePeople are the demo's people and n clients more, so that the
// client list spans pages.
func scalePeople(n int) peopleUniverse {
	pu := demoPeople()
	for i := range n {
		pu["client"] = append(pu["client"], person{name: fmt.Sprintf("Client %05d", i+1)})
	}
	return pu
}

// someone is a person the configuration may point at: its id in this
// tenant (0 when the tenant lacks it) and its name.
type someone struct {
	id   int64
	name string
}

// genPeople builds the list rows of every kind of pu, with ids from
// idBase+1 (shuffled when shuffle is set), and for every pair-only kind
// (departments too) the people the configuration points at: the reference
// universe's that are not spare, in the same order in every tenant made
// from one universe.
func genPeople(pu peopleUniverse, ref peopleUniverse, seed int64, salt string, idBase int64, shuffle bool) (rows map[string][]snapshot.Record, pools map[string][]someone) {
	rows, pools = map[string][]snapshot.Record{}, map[string][]someone{}
	ids := func(kind string, n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = idBase + int64(i) + 1
		}
		if shuffle {
			r := newRand(seed, salt, "people", kind)
			r.Shuffle(n, func(i, j int) { out[i], out[j] = out[j], out[i] })
		}
		return out
	}
	byKey := map[string]map[string]int64{} // kind -> personKey -> id
	// Departments: one per department name of the teams, in order.
	var depts []string
	for _, t := range pu["team"] {
		if d := t.set["department_name"].(string); !slices.Contains(depts, d) {
			depts = append(depts, d)
		}
	}
	byKey["department"] = map[string]int64{}
	for i, id := range ids("department", len(depts)) {
		byKey["department"][strings.ToLower(depts[i])] = id
	}
	for _, k := range catalog.PairOnlyKinds() { // clients before their sites
		ps, own := pu[k.Name]
		if !own {
			continue
		}
		l := listingOf(k)
		byKey[k.Name] = map[string]int64{}
		for i, id := range ids(k.Name, len(ps)) {
			p := ps[i]
			row := snapshot.Record{"id": num(id), k.DisplayField(): p.name}
			maps.Copy(row, p.set)
			switch k.Name {
			case "team":
				d := p.set["department_name"].(string)
				row["guid"] = uuid(newRand(seed, salt, "team", p.name, d))
				row["department_id"] = num(byKey["department"][strings.ToLower(d)])
			case "mailbox":
				row["type"] = num(0)
			case "site":
				row["client_id"] = num(byKey["client"][strings.ToLower(p.set["client_name"].(string))])
			}
			if k.ListQuery != "" {
				row[l.hiddenField] = notHidden(l)
				if p.hidden {
					row[l.hiddenField] = l.hiddenValue
				}
			} else if p.hidden {
				panic("halosim: hidden " + k.Name + " " + p.name + ": its list has no flag to show it")
			}
			rows[k.Name] = append(rows[k.Name], row)
			byKey[k.Name][rowKey(k, row)] = id
		}
		snapshot.SortByID(rows[k.Name])
	}
	for kind, ps := range ref {
		k := catalog.MustLookupStored(kind)
		for _, p := range ps {
			if !p.spare {
				row := snapshot.Record{k.DisplayField(): p.name}
				maps.Copy(row, p.set)
				pools[kind] = append(pools[kind], someone{byKey[kind][rowKey(k, row)], p.name})
			}
		}
	}
	for _, d := range depts {
		pools["department"] = append(pools["department"], someone{byKey["department"][strings.ToLower(d)], d})
	}
	for _, k := range catalog.PairOnlyKinds() { // a kind read from another's list: filterprofile from filter's
		if _, own := ref[k.Name]; !own && k.Name != "department" {
			pools[k.Name] = pools[listedWith(k).Name]
		}
	}
	return rows, pools
}

// notHidden is the hidden field's value on a row listed without flags.
func notHidden(l listing) any {
	if b, ok := l.hiddenValue.(bool); ok {
		return !b
	}
	return nil
}

// rowKey tells rows apart within a kind as pairing does: by the first of
// the catalog's keys whose fields the row has (an agent by email, else
// name; a site within its client), without case.
func rowKey(k *catalog.Kind, row snapshot.Record) string {
	for _, alt := range k.KeyAlternatives() {
		parts := make([]string, len(alt))
		for i, f := range alt {
			parts[i] = snapshot.Scalar(row[f])
		}
		if !slices.Contains(parts, "") {
			return strings.ToLower(strings.Join(parts, "/"))
		}
	}
	return ""
}

// listPeople serves GET /api/{Agent,Team,Roles,Mailbox,Client,Site}: the
// rows of a pair-only kind, read-only. Hidden rows only with the flag;
// clients and sites paged.
func (t *Tenant) listPeople(w http.ResponseWriter, r *http.Request, k *catalog.Kind, parts []string) {
	if len(parts) != 2 || r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "the simulator serves "+k.Endpoint+" as a read-only list")
		return
	}
	if t.dev.forbidden[k.Endpoint] {
		writeError(w, http.StatusForbidden, "forbidden", "the API application may not read "+k.Endpoint)
		return
	}
	l := listingOf(k)
	shown := true // the hidden rows: with every flag of the catalog's ListQuery
	for _, p := range catalog.TrueParams(k.ListQuery) {
		shown = shown && flag(r, p)
	}
	var rows []snapshot.Record
	for _, row := range t.people[k.Name] {
		if shown || !snapshot.Same(row[l.hiddenField], l.hiddenValue) {
			rows = append(rows, row.Clone())
		}
	}
	total := len(rows)
	var out bytes.Buffer
	switch {
	case l.paged:
		rows = pageRows(r, rows, false)
		fmt.Fprintf(&out, `{"record_count":%d,%q:`, total, k.ListKey)
		writeJSON(&out, rows, "")
		out.WriteByte('}')
	case l.bare:
		writeJSON(&out, rows, "")
	default:
		fmt.Fprintf(&out, `{"record_count":%d,%q:`, total, k.ListKey)
		writeJSON(&out, rows, "")
		out.WriteByte('}')
	}
	t.count(func(s *Stats) { s.ListPages++ })
	writeBody(w, http.StatusOK, out.Bytes())
}

// peopleOf matches an endpoint with the first pair-only kind listed there:
// /Team lists teams (and names their departments).
func peopleOf(entity string) *catalog.Kind {
	for _, k := range catalog.PairOnlyKinds() {
		if strings.EqualFold("/"+entity, k.Endpoint) {
			return k
		}
	}
	return nil
}

// listedWith is the first pair-only kind listed where k is: k itself, or
// the kind whose list k is read from (a filterprofile: filter's).
func listedWith(k *catalog.Kind) *catalog.Kind {
	return peopleOf(strings.TrimPrefix(k.Endpoint, "/"))
}
